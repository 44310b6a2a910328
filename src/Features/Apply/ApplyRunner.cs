using System.Diagnostics;
using System.Text;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Runs one apply from database to switch. Only one runs at a time across all replicas (a PostgreSQL advisory
/// lock); every step is recorded; any failure after the first live file is replaced puts every node back as it was.</summary>
public sealed class ApplyRunner(
    NpgsqlDataSource db, DedicatedConnections dedicated, AsteriskNodes nodes, DialplanSettings settings, IOptions<ApplyOptions> options,
    TimeProvider clock, ILogger<ApplyRunner> log)
{
    private const long LockKey = 0x4449445F4150504C; // "DID_APPL"
    private static readonly UTF8Encoding Utf8 = new(false);

    private string WorkDir => options.Value.WorkDir is { Length: > 0 } w ? w : Path.Combine(Path.GetTempPath(), "did-apply");

    public async Task<ApplyJobResponse> ApplyAsync(RequestContext ctx, CancellationToken ct)
    {
        _ = nodes.All; // a missing node configuration is a 503 before any job exists
        // The lock's session lives outside the pool: an apply waiting for another one to finish must not take a pooled
        // connection from the requests, and a session lock must never be handed on to the next user of a connection.
        await using var lockConn = await dedicated.OpenAsync("did-apply-lock", ct);
        if (!await TryLockAsync(lockConn, TimeSpan.FromSeconds(options.Value.LockWaitSeconds), ct))
        {
            var running = await ApplyJobStore.RunningAsync(db, ct);
            throw Problem.Conflict($"Another apply is running{(running is { } r ? $" (job {r})" : "")}; try again when it has finished.",
                new Dictionary<string, object?> { ["running_job_id"] = running });
        }
        try
        {
            // Once it holds the lock the apply runs to its end: a client that hangs up must not leave a half-deployed switch.
            await RecoverAsync(ctx, CancellationToken.None);
            return await RunLockedAsync(ctx, CancellationToken.None);
        }
        finally
        {
            await lockConn.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection conn, TimeSpan wait, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct)))
                return true;
            if (deadline.Elapsed >= wait) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>Jobs left RUNNING by a process that died (we hold the lock, so nobody else is running one): put their
    /// nodes' files back from the backups they recorded, reload, and mark them FAILED.</summary>
    public async Task RecoverAsync(RequestContext ctx, CancellationToken ct)
    {
        foreach (var stale in await ApplyJobStore.StaleAsync(db, ct))
        {
            var note = "The process running this apply stopped before it finished.";
            try
            {
                await NodeDeployer.RestoreAsync(stale.Backups, ct);
                foreach (var node in nodes.All.Where(n => n.Ami is not null && stale.Backups.Any(b => b.Node == n.Name)))
                    await NodeDeployer.ReloadAsync(node, queuesChanged: true, ct);
                note += stale.Backups.Count > 0 ? " Live files were restored from its backups." : " It had not touched any live file.";
            }
            catch (Exception e)
            {
                note += $" Restoring its backups failed: {e.Message}";
                log.LogError(e, "Recovery of apply job {Job} failed", stale.Id);
            }
            await ApplyJobStore.MarkFailedAsync(db, ctx, stale.Id, note, ct);
        }
    }

    /// <summary>At start-up: recover only if no other replica is applying right now.</summary>
    public async Task RecoverAtStartAsync(RequestContext ctx, CancellationToken ct)
    {
        await using var conn = await dedicated.OpenAsync("did-apply-lock", ct);
        if (!await TryLockAsync(conn, TimeSpan.Zero, ct)) return;
        try { await RecoverAsync(ctx, ct); }
        finally { await conn.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }); }
    }

    private async Task<ApplyJobResponse> RunLockedAsync(RequestContext ctx, CancellationToken ct)
    {
        var jobId = await ApplyJobStore.StartAsync(db, ctx.ActorId, ct);
        var steps = new List<ApplyStep>();
        var backups = new List<FileBackup>();
        var work = Directory.CreateDirectory(Path.Combine(WorkDir, jobId.ToString("N"))).FullName;
        RenderResult? rendered = null;
        var stats = DiffStats.None;
        try
        {
            var snapshot = await Step(steps, "snapshot", async () =>
            {
                var s = await DialplanSnapshotReader.ReadAsync(db, ct);
                return (s, $"{s.Tenants.Count} tenants, {s.Numbers.Count} assigned numbers.");
            });
            var (extPath, queuesPath) = (Path.Combine(work, DialplanRenderer.ExtensionsFileName), Path.Combine(work, DialplanRenderer.QueuesFileName));
            rendered = await Step(steps, "render", async () =>
            {
                var r = await RenderAsync(snapshot, extPath, queuesPath);
                return (r, $"{r.Contexts} contexts, {r.Shards} shards, {r.NumbersRouted} numbers; sha256 {r.ExtensionsSha256}.");
            });
            // Lint and diff only read the rendered files: run them side by side. Nothing is touched until both are done.
            // Lint also leaves each context's digest, what verify compares the switch with.
            var digests = new List<ContextDigest>();
            var lintStep = Task.Run(() => Step(steps, "lint", () =>
            {
                using var reader = new StreamReader(extPath, Utf8, false, 1 << 16);
                var f = DialplanLinter.Lint(reader, DialplanLintOptions.For(settings), digests);
                if (f.Count > 0) throw new ApplyStepException($"The rendered dialplan fails {f.Count} check(s): " + string.Join(" ", f.Take(5).Select(x => $"line {x.LineNumber}: {x.Message}")));
                return Task.FromResult((f, "No findings."));
            }));
            var diffSteps = new List<ApplyStep>();
            var diffs = Task.Run(async () =>
            {
                var result = new List<(AsteriskNode Node, bool ExtSame, bool QueuesSame, DiffStats Stats)>();
                foreach (var node in nodes.All)
                {
                    var (extSame, queuesSame, nodeStats) = await Step(diffSteps, $"diff:{node.Name}", async () =>
                    {
                        var e = await NodeDeployer.SameBytesAsync(node.ExtensionsPath, extPath, ct);
                        var q = await NodeDeployer.SameBytesAsync(node.QueuesPath, queuesPath, ct);
                        var d = (e ? DiffStats.None : Diff(node.ExtensionsPath, extPath, DialplanRenderer.ExtensionsFileName, null).Stats)
                            .Add(q ? DiffStats.None : Diff(node.QueuesPath, queuesPath, DialplanRenderer.QueuesFileName, null).Stats);
                        return ((e, q, d), e && q ? "Live files are identical." : $"+{d.LinesAdded} -{d.LinesRemoved} lines in {d.SectionsChanged + d.SectionsAdded + d.SectionsRemoved} sections.");
                    });
                    result.Add((node, extSame, queuesSame, nodeStats));
                }
                return result;
            });
            try
            {
                await Task.WhenAll(lintStep, diffs);
            }
            finally
            {
                lock (steps) steps.AddRange(diffSteps);
            }
            var changed = new List<(AsteriskNode Node, bool Queues)>();
            foreach (var (node, extSame, queuesSame, nodeStats) in diffs.Result)
            {
                if (node == nodes.All[0]) stats = nodeStats;
                if (!extSame || !queuesSame) changed.Add((node, !queuesSame));
            }
            if (changed.Count == 0)
                return await Finish(ctx, jobId, ApplyJobStatus.NoChanges, rendered, stats, steps, null, ct);

            foreach (var (node, _) in changed)
                await Step(steps, $"backup:{node.Name}", async () =>
                {
                    var b = await NodeDeployer.BackupAsync(node, jobId, clock.GetUtcNow().UtcDateTime, options.Value.BackupsToKeep, ct);
                    backups.AddRange(b);
                    return (b, string.Join(", ", b.Select(x => x.BackupPath ?? $"{Path.GetFileName(x.LivePath)} did not exist")));
                });
            await ApplyJobStore.SaveProgressAsync(db, jobId, steps, backups, ct);

            try
            {
                foreach (var (node, _) in changed)
                    await Step(steps, $"write:{node.Name}", async () =>
                    {
                        await NodeDeployer.WriteAsync(node, extPath, queuesPath, ct);
                        return (true, $"Wrote {node.ExtensionsPath} and {node.QueuesPath}.");
                    });
                foreach (var (node, queuesChanged) in changed)
                {
                    if (node.Ami is null)
                    {
                        Skip(steps, $"reload:{node.Name}", "AMI is off for this node (Asterisk:Ami:Host is empty).");
                        Skip(steps, $"verify:{node.Name}", "AMI is off for this node.");
                        continue;
                    }
                    await Step(steps, $"reload:{node.Name}", async () => (true, await NodeDeployer.ReloadAsync(node, queuesChanged, ct)));
                    await Step(steps, $"verify:{node.Name}", async () => (true, await NodeDeployer.VerifyAsync(node, extPath, digests, options.Value.VerifyConnections, ct)));
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return await RollBackAsync(ctx, jobId, changed.Select(c => c.Node).ToList(), backups, rendered, stats, steps, failure);
            }
            return await Finish(ctx, jobId, ApplyJobStatus.Succeeded, rendered, stats, steps, null, ct);
        }
        catch (Exception e)
        {
            // Failed before any live file was replaced: nothing to undo.
            var failed = await Finish(ctx, jobId, ApplyJobStatus.Failed, rendered, stats, steps, e.Message, CancellationToken.None);
            if (e is DialplanException) throw; // the data must change, not the switch: a 409 showing the caller its own problems
            return failed;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException e) { log.LogWarning(e, "Could not remove apply work folder {Dir}", work); }
        }
    }

    private async Task<ApplyJobResponse> RollBackAsync(RequestContext ctx, Guid jobId, List<AsteriskNode> touched, List<FileBackup> backups,
        RenderResult? rendered, DiffStats stats, List<ApplyStep> steps, Exception failure)
    {
        var reason = Describe(failure);
        try
        {
            await Step(steps, "rollback", async () =>
            {
                await NodeDeployer.RestoreAsync(backups, CancellationToken.None);
                var reloaded = new List<string>();
                foreach (var node in touched.Where(n => n.Ami is not null))
                {
                    await NodeDeployer.ReloadAsync(node, queuesChanged: true, CancellationToken.None);
                    reloaded.Add(node.Name);
                }
                return (true, $"Restored {backups.Count} file(s) from backup{(reloaded.Count > 0 ? "; reloaded " + string.Join(", ", reloaded) : "")}.");
            });
            return await Finish(ctx, jobId, ApplyJobStatus.RolledBack, rendered, stats, steps, reason, CancellationToken.None);
        }
        catch (Exception rollback)
        {
            log.LogError(rollback, "Rollback of apply job {Job} failed after: {Reason}", jobId, reason);
            return await Finish(ctx, jobId, ApplyJobStatus.Failed, rendered, stats, steps,
                $"{reason} Rolling back also failed: {Describe(rollback)}", CancellationToken.None);
        }
    }

    /// <summary>A dry run: render, lint and diff against the first node's live files; touches nothing, takes no lock.</summary>
    public async Task<ApplyPreviewResponse> PreviewAsync(Func<DialplanSnapshot, DiffLineFilter?> filterFor, Func<LintFinding, bool> showFinding, CancellationToken ct)
    {
        var node = nodes.All[0];
        var work = Directory.CreateDirectory(Path.Combine(WorkDir, "preview-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var snapshot = await DialplanSnapshotReader.ReadAsync(db, ct);
            var (extPath, queuesPath) = (Path.Combine(work, DialplanRenderer.ExtensionsFileName), Path.Combine(work, DialplanRenderer.QueuesFileName));
            var rendered = await RenderAsync(snapshot, extPath, queuesPath);
            IReadOnlyList<LintFinding> findings;
            using (var reader = new StreamReader(extPath, Utf8)) findings = DialplanLinter.Lint(reader, DialplanLintOptions.For(settings));
            var filter = filterFor(snapshot);
            var ext = Diff(node.ExtensionsPath, extPath, DialplanRenderer.ExtensionsFileName, filter);
            var queues = Diff(node.QueuesPath, queuesPath, DialplanRenderer.QueuesFileName, filter);
            var changes = !await NodeDeployer.SameBytesAsync(node.ExtensionsPath, extPath, ct) || !await NodeDeployer.SameBytesAsync(node.QueuesPath, queuesPath, ct);
            return new ApplyPreviewResponse(rendered.NumbersRouted, rendered.ExtensionsSha256, ext.Stats.Add(queues.Stats),
                ext.UnifiedDiff + queues.UnifiedDiff, ext.Truncated || queues.Truncated, changes, findings.Where(showFinding).ToList());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        ApplyStepException or Infrastructure.Ami.AmiException or IOException => e.Message,
        TimeoutException => "Asterisk did not answer in time.",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private Task<ApplyJobResponse> Finish(RequestContext ctx, Guid jobId, ApplyJobStatus status, RenderResult? rendered, DiffStats stats,
        List<ApplyStep> steps, string? error, CancellationToken ct) =>
        ApplyJobStore.FinishAsync(db, ctx, jobId, status, rendered?.NumbersRouted, rendered?.ExtensionsSha256,
            rendered is null ? null : stats, steps, error, ct);

    /// <summary>Renders straight into files: the text is never held in memory as a whole.</summary>
    public async Task<RenderResult> RenderAsync(DialplanSnapshot snapshot, string extPath, string queuesPath)
    {
        await using var ext = new StreamWriter(extPath, false, Utf8, 1 << 16);
        await using var queues = new StreamWriter(queuesPath, false, Utf8, 1 << 16);
        return DialplanRenderer.Render(snapshot, settings, ext, queues);
    }

    public static ConfigDiff.Result Diff(string live, string rendered, string name, DiffLineFilter? filter) =>
        ConfigDiff.Compare(
            () => File.Exists(live) ? File.OpenRead(live) : Stream.Null,
            () => File.OpenRead(rendered), name, filter);

    private static async Task<T> Step<T>(List<ApplyStep> steps, string name, Func<Task<(T Value, string Output)>> run)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var (value, output) = await run();
            lock (steps) steps.Add(new ApplyStep(name, ApplyStepStatus.Ok, watch.ElapsedMilliseconds, output));
            return value;
        }
        catch (Exception e)
        {
            lock (steps) steps.Add(new ApplyStep(name, ApplyStepStatus.Failed, watch.ElapsedMilliseconds, Describe(e)));
            throw;
        }
    }

    private static void Skip(List<ApplyStep> steps, string name, string why) => steps.Add(new ApplyStep(name, ApplyStepStatus.Skipped, 0, why));
}
