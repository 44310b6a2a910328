using Did.Dialplan;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>How a job ended. <see cref="Refused"/> is set when the data could not be rendered: the data must change, not
/// the switch, so the caller gets a 409 showing its own problems rather than a failed job.</summary>
public sealed record ApplyJobEnd(ApplyJobStatus Status, RenderResult? Rendered, DiffStats? Stats, string? Error, DialplanException? Refused = null);

/// <summary>One changed node to deploy: what each per-node step (plan, backup, write, delta or reload, verify) takes.</summary>
public sealed record NodeDeployment(AsteriskNode Node, RenderedFiles Rendered, LintedDialplan Lint, bool ExtensionsChanged, bool QueuesChanged);

/// <summary>A node's deployment and how it goes to the switch (<see cref="NodePlan"/>).</summary>
public sealed record PlannedDeployment(NodeDeployment Deployment, NodePlan Plan);

/// <summary>One apply, from database to switch, as named steps:
/// <code>Snapshot → Render → Lint (what changed) ‖ Diff (each node) → Plan → Backup → Write → Delta or Reload → Verify (each changed node)</code>
/// (a render byte-identical to every node's live files ends after Render: nothing to lint or deploy; the same data as the
/// last render, whose files every node has, ends after Snapshot: <see cref="LastRender"/>),
/// then <see cref="ApplyRollback"/> when anything fails once a live file may have been replaced. The files are always
/// written whole first (backup, atomic write); then a small change goes to the switch as a live delta over AMI, and
/// anything else by a reload (<see cref="NodePlan"/>); verify lists what the delta or reload can have changed. Each step is a method
/// with one input and one output; the job's steps are the record of running them through <see cref="ApplyStepLog"/>.
/// It runs under the apply lock and to its end: no step takes the caller's cancellation token, because a client that
/// hangs up must not leave a half-deployed switch.</summary>
/// <param name="readSnapshot">Reads the snapshot to deploy (the "snapshot" step): the whole platform from the database,
/// or a scoped one (<see cref="ScopedSnapshot"/>).</param>
/// <param name="switchAtWork">Called with what was rendered once the files are written, as the first node's delta or
/// reload begins: from here this process mostly waits for the switches, so work that the job's end needs can run
/// without slowing a step.</param>
public sealed class ApplyPipeline(
    NpgsqlDataSource db, IReadOnlyList<AsteriskNode> nodes, DialplanSettings settings, ApplyOptions options, TimeProvider clock,
    Guid jobId, string workFolder, LintedSections linted, LastRender lastRender, Func<Task<DialplanSnapshot>> readSnapshot,
    Action<RenderResult> switchAtWork)
{
    private static readonly CancellationToken ToTheEnd = CancellationToken.None;

    private readonly ApplyStepLog _log = new(clock);

    public IReadOnlyList<ApplyStep> Steps => _log.Steps;

    /// <summary>Runs the steps in order. A failed step is not thrown: it is the job's outcome. The apply is one span, its
    /// steps its children, and its outcome is counted (<see cref="ApplyTelemetry"/>).</summary>
    public async Task<ApplyJobEnd> RunAsync()
    {
        using var activity = ApplyTelemetry.StartApply(jobId);
        var end = await RunStepsAsync();
        if (_fingerprinting is { } fingerprinting) await RememberRenderAsync(fingerprinting);
        ApplyTelemetry.ApplyEnded(activity, end);
        return end;
    }

    // The rendered files' sha256, taken beside the steps once rendered, for the next apply (LastRender).
    private Task<LastRender.Files>? _fingerprinting;

    private async Task<ApplyJobEnd> RunStepsAsync()
    {
        RenderedFiles? rendered = null;
        DiffStats? stats = null;
        List<PlannedDeployment> changed;
        try
        {
            var snapshot = await _log.RunAsync("snapshot", ReadSnapshotAsync, readSnapshot);
            // The same data as the last render, whose files every node has: the render would give those bytes again.
            if (lastRender.Of(snapshot.Snapshot) is { } last && await EveryNodeHasAsync(last))
            {
                _log.Skip("render", $"The same data as this process's last render, whose files every node has (sha256 {last.Result.ExtensionsSha256}): nothing to render or deploy.");
                _log.Skip("lint", "Nothing was rendered.");
                // What each node was compared with: the last render's files, by their sha256.
                foreach (var node in nodes) await _log.RunAsync($"diff:{node.Name}", Unchanged, node);
                return new ApplyJobEnd(ApplyJobStatus.NoChanges, last.Result, DiffStats.None, null);
            }
            rendered = await _log.RunAsync("render", RenderAsync, snapshot);
            var files = rendered;
            _fingerprinting = Task.Run(async () => new LastRender.Files(snapshot.Snapshot, files.Result,
                (await LastRender.Sha256Async(files.ExtensionsPath, ToTheEnd))!, (await LastRender.Sha256Async(files.QueuesPath, ToTheEnd))!));
            // A render byte-identical to every node's live files deploys nothing: it needs neither lint nor diff.
            if (await SameOnEveryNodeAsync(rendered))
            {
                _log.Skip("lint", "The rendered files are byte-identical to every node's live files: nothing to deploy.");
                var same = await DiffEachNodeAsync(rendered);
                if (same.All(d => !d.Changed)) return new ApplyJobEnd(ApplyJobStatus.NoChanges, rendered.Result, DiffStats.None, null);
                throw new ApplyStepException("A node's live files changed while this apply compared them; nothing was deployed. Apply again.");
            }
            // Lint and diff only read the rendered files: they run side by side, and nothing is touched until both are done.
            var linting = _log.RunAsync("lint", LintAsync, rendered);
            var diffing = DiffEachNodeAsync(rendered);
            await Task.WhenAll(linting, diffing);
            stats = diffing.Result[0].Stats;
            var deployments = diffing.Result.Where(d => d.Changed)
                .Select(d => new NodeDeployment(d.Node, rendered, linting.Result, d.ExtensionsChanged, d.QueuesChanged)).ToList();
            if (deployments.Count == 0) return new ApplyJobEnd(ApplyJobStatus.NoChanges, rendered.Result, stats, null);

            changed = [];
            foreach (var node in deployments)
                changed.Add(new(node, node.Node.Ami is null ? NoSwitch(node) : await _log.RunAsync($"plan:{node.Node.Name}", PlanAsync, node)));
            var backups = new List<FileBackup>();
            foreach (var node in changed) backups.AddRange((await _log.RunAsync($"backup:{node.Deployment.Node.Name}", BackupAsync, node.Deployment)).Files);
            await ApplyJobStore.SaveProgressAsync(db, jobId, _log.Steps, backups, ToTheEnd);
        }
        catch (Exception e)
        {
            // No live file has been replaced yet: nothing to undo.
            return new ApplyJobEnd(ApplyJobStatus.Failed, rendered?.Result, stats, ApplyStepLog.Describe(e), e as DialplanException);
        }

        try
        {
            foreach (var node in changed) await _log.RunAsync($"write:{node.Deployment.Node.Name}", WriteAsync, node.Deployment);
            switchAtWork(rendered.Result);
            foreach (var node in changed)
            {
                var name = node.Deployment.Node.Name;
                if (node.Deployment.Node.Ami is null)
                {
                    _log.Skip($"reload:{name}", "AMI is off for this node (Asterisk:Ami:Host is empty).");
                    _log.Skip($"verify:{name}", "AMI is off for this node.");
                    continue;
                }
                var planned = node;
                // A delta the AMI user may not make leaves the switch as it was: the files are already written, so a reload deploys them.
                if (node.Plan.How == NodeUpdate.Delta && (node.Plan.Changes.Count > 0 || node.Deployment.QueuesChanged)
                    && !(await _log.RunAsync($"delta:{name}", DeltaAsync, node)).Made)
                    planned = node with { Plan = NodePlan.ReloadInstead(node.Plan, node.Deployment.Lint.Digests) };
                if (planned.Plan.How == NodeUpdate.Reload) await _log.RunAsync($"reload:{name}", ReloadAsync, planned.Deployment);
                if (planned.Plan.Verify.Count + planned.Plan.Probe.Count > 0) await _log.RunAsync($"verify:{name}", VerifyAsync, planned);
                else _log.Skip($"verify:{name}", "No context of the dialplan changed.");
            }
        }
        catch (Exception failure)
        {
            return await RollBackAsync(new RollbackPlan(jobId, [.. changed.Select(c => c.Deployment.Node)]), rendered.Result, stats, failure);
        }
        // Only now does this process know what each node runs: what a later live delta starts from.
        foreach (var node in changed.Where(c => c.Deployment.Node.Ami is not null))
            node.Deployment.Node.Live.Remember(node.Deployment.Node.ExtensionsPath, node.Deployment.Lint.Digests);
        return new ApplyJobEnd(ApplyJobStatus.Succeeded, rendered.Result, stats, null);
    }

    /// <summary>Every node the apply may have written is put back; the job says why, and whether even that failed.</summary>
    private async Task<ApplyJobEnd> RollBackAsync(RollbackPlan plan, RenderResult rendered, DiffStats? stats, Exception failure)
    {
        var reason = ApplyStepLog.Describe(failure);
        try
        {
            await _log.RunAsync("rollback", ApplyRollback.RunAsync, plan);
            return new ApplyJobEnd(ApplyJobStatus.RolledBack, rendered, stats, reason);
        }
        catch (Exception rollback)
        {
            return new ApplyJobEnd(ApplyJobStatus.Failed, rendered, stats, $"{reason} Rolling back also failed: {ApplyStepLog.Describe(rollback)}");
        }
    }

    // ---- The steps, in the order they run ----

    private static async Task<SnapshotTaken> ReadSnapshotAsync(Func<Task<DialplanSnapshot>> read) => new(await read());

    private Task<RenderedFiles> RenderAsync(SnapshotTaken snapshot) => RenderIntoAsync(workFolder, snapshot.Snapshot, settings);

    /// <summary>Scans only the contexts whose text the last apply's lint has not seen (<see cref="LintedSections"/>); the
    /// checks across contexts, and any finding, are those of a whole pass.</summary>
    private Task<LintedDialplan> LintAsync(RenderedFiles rendered) => Task.Run(() =>
    {
        var digests = new List<ContextDigest>();
        var findings = DialplanLinter.LintBySection(
            () => new FileStream(rendered.ExtensionsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan),
            DialplanLintOptions.For(settings), digests, linted);
        if (findings.Count > 0)
            throw new ApplyStepException($"The rendered dialplan fails {findings.Count} check(s): " +
                                         string.Join(" ", findings.Take(5).Select(x => $"line {x.LineNumber}: {x.Message}")));
        return new LintedDialplan(digests, linted.LastScanned);
    });

    private async Task<bool> EveryNodeHasAsync(LastRender.Files last)
    {
        foreach (var node in nodes)
            if (await LastRender.Sha256Async(node.ExtensionsPath, ToTheEnd) != last.ExtensionsSha256
                || await LastRender.Sha256Async(node.QueuesPath, ToTheEnd) != last.QueuesSha256)
                return false;
        return true;
    }

    private static Task<NodeDiff> Unchanged(AsteriskNode node) => Task.FromResult(new NodeDiff(node, false, false, DiffStats.None));

    /// <summary>Remembers the render for the next apply. It only spares the next apply a render: when the files could not
    /// be read back, nothing is remembered and this job ends as it ended.</summary>
    private async Task RememberRenderAsync(Task<LastRender.Files> fingerprinting)
    {
        try
        {
            lastRender.Remember(await fingerprinting);
        }
        catch (Exception)
        {
            // What is remembered from an earlier render stays true: those data render to those files.
        }
    }

    private async Task<bool> SameOnEveryNodeAsync(RenderedFiles rendered)
    {
        foreach (var node in nodes)
            if (!await NodeFiles.SameBytesAsync(node.ExtensionsPath, rendered.ExtensionsPath, ToTheEnd)
                || !await NodeFiles.SameBytesAsync(node.QueuesPath, rendered.QueuesPath, ToTheEnd))
                return false;
        return true;
    }

    private async Task<List<NodeDiff>> DiffEachNodeAsync(RenderedFiles rendered)
    {
        var diffs = new List<NodeDiff>(nodes.Count);
        foreach (var node in nodes) diffs.Add(await _log.RunAsync($"diff:{node.Name}", DiffAsync, new NodeDiffInput(node, rendered)));
        return diffs;
    }

    private sealed record NodeDiffInput(AsteriskNode Node, RenderedFiles Rendered);

    private static Task<NodeDiff> DiffAsync(NodeDiffInput input) => Task.Run(async () =>
    {
        var (node, rendered) = input;
        var extensionsSame = await NodeFiles.SameBytesAsync(node.ExtensionsPath, rendered.ExtensionsPath, ToTheEnd);
        var queuesSame = await NodeFiles.SameBytesAsync(node.QueuesPath, rendered.QueuesPath, ToTheEnd);
        var stats = (extensionsSame ? DiffStats.None : NodeFiles.CountChanges(node.ExtensionsPath, rendered.ExtensionsPath))
            .Add(queuesSame ? DiffStats.None : NodeFiles.CountChanges(node.QueuesPath, rendered.QueuesPath));
        return new NodeDiff(node, !extensionsSame, !queuesSame, stats);
    });

    private Task<NodePlan> PlanAsync(NodeDeployment deployment) => Task.Run(() =>
        NodePlan.For(deployment.Node, deployment.Rendered.ExtensionsPath, deployment.Lint.Digests, deployment.ExtensionsChanged, options));

    private static NodePlan NoSwitch(NodeDeployment deployment) =>
        new(deployment.Node, NodeUpdate.Reload, "AMI is off for this node", [], [], []);

    private async Task<NodeBackup> BackupAsync(NodeDeployment deployment) =>
        new(deployment.Node, await NodeFiles.BackupAsync(deployment.Node, jobId, clock.GetUtcNow().UtcDateTime, options.BackupsToKeep, ToTheEnd));

    private static async Task<NodeWritten> WriteAsync(NodeDeployment deployment)
    {
        deployment.Node.Live.Forget(); // from the first byte written until verified, what the node runs is not known
        await NodeFiles.WriteAsync(deployment.Node, deployment.Rendered, ToTheEnd);
        return new NodeWritten(deployment.Node);
    }

    private static async Task<NodeReloaded> ReloadAsync(NodeDeployment deployment) =>
        new(deployment.Node, await NodeSwitch.ReloadAsync(deployment.Node, deployment.QueuesChanged, ToTheEnd));

    private static async Task<NodeDelta> DeltaAsync(PlannedDeployment planned) =>
        new(planned.Deployment.Node, await NodeSwitch.ApplyDeltaAsync(planned.Deployment.Node, planned.Plan.Changes, planned.Deployment.QueuesChanged, ToTheEnd));

    private async Task<NodeVerified> VerifyAsync(PlannedDeployment planned) =>
        new(planned.Deployment.Node, await NodeSwitch.VerifyAsync(planned.Deployment.Node, planned.Deployment.Rendered.ExtensionsPath,
            planned.Plan.Verify, planned.Plan.Probe, options.VerifyConnections, ToTheEnd));

    /// <summary>Renders straight into files in <paramref name="folder"/> (private to this process): the text is never held
    /// in memory as a whole.</summary>
    public static async Task<RenderedFiles> RenderIntoAsync(string folder, DialplanSnapshot snapshot, DialplanSettings settings)
    {
        var extensionsPath = Path.Combine(folder, DialplanRenderer.ExtensionsFileName);
        var queuesPath = Path.Combine(folder, DialplanRenderer.QueuesFileName);
        RenderResult result;
        await using (var extensions = ApplyWorkFolder.CreateFile(extensionsPath))
        await using (var queues = ApplyWorkFolder.CreateFile(queuesPath))
            result = DialplanRenderer.Render(snapshot, settings, extensions, queues);
        return new RenderedFiles(extensionsPath, queuesPath, result);
    }
}
