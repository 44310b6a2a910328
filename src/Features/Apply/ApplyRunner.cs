using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Starts applies and previews. An apply deploys its caller's scope (<see cref="ApplyScope"/>): a tenant admin
/// its own tenant, a platform admin the whole platform or one tenant; every tenant outside the scope stays as last
/// deployed. Requests that arrive while an apply runs join the next run (<see cref="ApplyQueue"/>). A run takes the
/// lock (one at a time across every replica), recovers any job a stopped process left behind, and runs the
/// <see cref="ApplyPipeline"/> in a private work folder; a preview renders and diffs exactly what the caller's apply
/// would deploy, without the lock, and touches nothing.</summary>
public sealed class ApplyRunner(
    NpgsqlDataSource db, ApplyLockSession lockSession, AsteriskNodes nodes, DialplanSettings settings, IOptions<ApplyOptions> options,
    ApplyWorkFolder work, ApplyQueue queue, LintedSections linted, LastRender lastRender, SnapshotMemory snapshots, RenderSlots renders,
    TimeProvider clock, ILogger<ApplyRunner> log)
{
    public async Task<ApplyJobResponse> ApplyAsync(RequestContext ctx, Guid? tenantId, CancellationToken ct)
    {
        _ = nodes.All; // a missing node configuration is a 503 before any job exists
        var scope = await ScopeAsync(ctx, tenantId, ct);
        var turn = ctx.Role == Role.TenantAdmin
            ? await TenantApplyInterval.TakeAsync(db, scope.Tenants!.Single(), options.Value.TenantMinIntervalSeconds, ct)
            : null;
        // From here the request waits for the run that carries it, and that run goes to its end, whatever the client does:
        // a client that hangs up must not leave a half-deployed switch, nor a change that nobody deploys.
        try
        {
            var job = await queue.JoinAsync(ApplyCaller.From(ctx, scope), callers => RunBatchAsync(ctx, callers));
            return job.For(ctx);
        }
        catch (Exception e) when (turn is not null && TenantApplyInterval.RefusedBeforeDeploying(e))
        {
            // Nothing was deployed: a retry as soon as the conflict is gone is not a second apply.
            await TenantApplyInterval.GiveBackAsync(db, turn, CancellationToken.None);
            throw;
        }
    }

    /// <summary>One run for a batch; when the data refuses to render and the batch held several scopes, the callers whose
    /// tenants have no problem are served by another run without the others: one tenant's broken data never stops
    /// another tenant's apply. Answers one finished task per caller.</summary>
    private async Task<IReadOnlyList<Task<ApplyJobResponse>>> RunBatchAsync(RequestContext ctx, IReadOnlyList<ApplyCaller> callers)
    {
        try
        {
            var job = await RunAsync(ctx, callers);
            return [.. callers.Select(_ => Task.FromResult(job))];
        }
        catch (DialplanException refused) when (callers.Select(c => c.Scope).Distinct().Count() > 1 && refused.Problems.All(p => p.TenantId is not null))
        {
            var blocked = refused.Problems.Select(p => p.TenantId!.Value).ToHashSet();
            bool Clear(ApplyCaller c) => c.Scope.Tenants is { } tenants && !tenants.Overlaps(blocked);
            var clear = callers.Where(Clear).ToList();
            if (clear.Count == 0) throw;
            var served = await RunBatchAsync(ctx, clear);
            return [.. callers.Select(c => Clear(c) ? served[clear.IndexOf(c)] : Task.FromException<ApplyJobResponse>(refused))];
        }
    }

    /// <summary>One run for the callers of one batch, on one caller's request: the union of their scopes.</summary>
    private async Task<ApplyJobResponse> RunAsync(RequestContext ctx, IReadOnlyList<ApplyCaller> callers)
    {
        var targets = nodes.All;
        var scope = callers.Skip(1).Aggregate(callers[0].Scope, (all, c) => all.Union(c.Scope));
        await using var held = await ApplyLock.TryTakeAsync(lockSession, TimeSpan.FromSeconds(options.Value.LockWaitSeconds), CancellationToken.None);
        if (held is null)
        {
            var running = await ApplyJobStore.RunningAsync(db, CancellationToken.None);
            throw Problem.Conflict($"Another apply is running{(running is { } r ? $" (job {r})" : "")}; try again when it has finished.",
                new Dictionary<string, object?> { ["running_job_id"] = running });
        }
        await ApplyRecovery.RecoverAsync(db, targets, ctx, log, CancellationToken.None);
        if (!scope.IsPlatform) await RefuseWhenDeployedStateUnknownAsync(CancellationToken.None);
        var jobId = await ApplyJobStore.StartAsync(db, callers, scope, CancellationToken.None);
        var folder = work.CreateFolder(jobId.ToString("N"));
        try
        {
            ScopedParts? deployed = null;
            Task<PartsToRecord>? preparing = null;
            Task<DeployedStateWrite>? writing = null;
            Task<PartsToRecord> Prepare() => preparing ??= Task.Run(() => DeployedState.Prepare(deployed!));
            // What the job records if it deploys is prepared and written while the switches reload and are verified, in a
            // transaction that only the job's success commits.
            void SwitchAtWork(RenderResult rendered) =>
                writing = DeployedStateWrite.BeginAsync(db, jobId, rendered.ExtensionsSha256, Prepare(), CancellationToken.None);
            var pipeline = new ApplyPipeline(db, targets, settings, options.Value, clock, jobId, folder, linted, lastRender, async () =>
            {
                deployed = await ReadScopedAsync(scope, CancellationToken.None);
                return deployed.Snapshot;
            }, SwitchAtWork);
            var end = await pipeline.RunAsync();
            LogWarnings(jobId, end.Rendered);
            await using var written = await DeployedStateAsync(end, deployed is not null, writing, Prepare, jobId);
            var job = await ApplyJobStore.FinishAsync(db, jobId, end, pipeline.Steps, written, callers, CancellationToken.None);
            if (end.Refused is { } refused) throw refused; // recorded as FAILED; answered as a 409 (DialplanRefusal)
            return job;
        }
        finally
        {
            work.Remove(folder);
        }
    }

    /// <summary>Once per run, the warnings of what it rendered (or found already rendered): stale data the dialplan leaves
    /// out. The texts name tenants' slugs, numbers and ids, never a secret; a long list is cut short, the job has it all.</summary>
    private void LogWarnings(Guid jobId, RenderResult? rendered)
    {
        if (rendered is not { Warnings: { Count: > 0 } warnings }) return;
        const int listed = 20;
        var text = string.Join("; ", warnings.Take(listed).Select(w => w.Text))
                   + (warnings.Count > listed ? $"; and {warnings.Count - listed} more (GET /api/v1/apply/jobs/{jobId})" : "");
        log.LogWarning("Apply job {JobId} rendered {WarningCount} warning(s), stale data left out of the dialplan: {Warnings}",
            jobId, warnings.Count, text);
    }

    /// <summary>At start-up: recover only if no other replica is applying right now.</summary>
    public async Task RecoverAtStartAsync(RequestContext ctx, CancellationToken ct)
    {
        await using var held = await ApplyLock.TryTakeAsync(lockSession, TimeSpan.Zero, ct);
        if (held is not null) await ApplyRecovery.RecoverAsync(db, nodes.All, ctx, log, ct);
    }

    /// <summary>A dry run of exactly what the caller's apply would deploy: render its scoped snapshot, lint it and diff it
    /// against the first node's live files; takes no lock and touches nothing. A tenant admin sees only what is its own
    /// (<see cref="TenantDialplanView"/>): its lines, its numbers, no platform-wide hash and no lint findings.</summary>
    public async Task<ApplyPreviewResponse> PreviewAsync(RequestContext ctx, Guid? tenantId, CancellationToken ct)
    {
        var node = nodes.All[0];
        using var slot = await renders.EnterAsync(ct);
        var folder = work.CreateFolder("preview-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (snapshot, rendered) = await RenderPendingAsync(ctx, tenantId, folder, ct);
            var view = ctx.Role == Role.TenantAdmin ? TenantDialplanView.For(snapshot, ctx.TenantId ?? Guid.Empty) : null;
            DiffLineFilter? filter = view is null ? null : view.Shows;
            var extensions = NodeFiles.Diff(node.ExtensionsPath, rendered.ExtensionsPath, DialplanRenderer.ExtensionsFileName, filter);
            var queues = NodeFiles.Diff(node.QueuesPath, rendered.QueuesPath, DialplanRenderer.QueuesFileName, filter);
            var stats = extensions.Stats.Add(queues.Stats);
            var diff = extensions.UnifiedDiff + queues.UnifiedDiff;
            var truncated = extensions.Truncated || queues.Truncated;
            if (view is not null)
                return ApplyPreviewResponse.Of(view.NumbersRouted, null, stats, diff, truncated, !stats.IsEmpty, [],
                    RenderWarnings.Of(rendered.Result.Warnings, ctx.TenantId));
            IReadOnlyList<LintFinding> findings;
            using (var reader = new StreamReader(rendered.ExtensionsPath)) findings = DialplanLinter.Lint(reader, DialplanLintOptions.For(settings));
            var changes = !await NodeFiles.SameBytesAsync(node.ExtensionsPath, rendered.ExtensionsPath, ct)
                          || !await NodeFiles.SameBytesAsync(node.QueuesPath, rendered.QueuesPath, ct);
            return ApplyPreviewResponse.Of(rendered.Result.NumbersRouted, rendered.Result.ExtensionsSha256, stats, diff, truncated, changes, findings,
                rendered.Result.Warnings);
        }
        finally
        {
            work.Remove(folder);
        }
    }

    /// <summary>Renders into <paramref name="folder"/> what the caller's apply would deploy now, deploying nothing: a tenant
    /// admin's own tenant (or the one tenant a platform role names) from the database and every other tenant as last
    /// deployed; otherwise the whole platform from the database. The preview and the simulator's PENDING dialplan are
    /// this one render, so another tenant's pending change, or data the renderer refuses, never shows in a tenant's
    /// answer. The caller holds one of the <see cref="RenderSlots"/>.</summary>
    public async Task<(DialplanSnapshot Snapshot, RenderedFiles Rendered)> RenderPendingAsync(RequestContext ctx, Guid? tenantId, string folder,
        CancellationToken ct)
    {
        var scope = await ScopeAsync(ctx, tenantId, ct);
        if (!scope.IsPlatform) await RefuseWhenDeployedStateUnknownAsync(ct);
        var snapshot = (await ReadScopedAsync(scope, ct)).Snapshot;
        return (snapshot, await ApplyPipeline.RenderIntoAsync(folder, snapshot, settings));
    }

    /// <summary>The deployed state to commit with the job's end: none unless the nodes now run what was rendered
    /// (SUCCEEDED or NO_CHANGES). The write begun while the switches worked is rolled back if the apply did not succeed;
    /// if it failed itself, the parts are written again here.</summary>
    private async Task<DeployedStateWrite?> DeployedStateAsync(ApplyJobEnd end, bool snapshotRead, Task<DeployedStateWrite>? writing,
        Func<Task<PartsToRecord>> prepare, Guid jobId)
    {
        DeployedStateWrite? written = null;
        try
        {
            if (writing is not null) written = await writing;
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Recording the deployed state of apply job {JobId} beside the switch work failed; recording it at the end", jobId);
        }
        if (!snapshotRead || end.Status is not (ApplyJobStatus.Succeeded or ApplyJobStatus.NoChanges) || end.Rendered is not { } rendered)
        {
            if (written is not null) await written.DisposeAsync();
            return null;
        }
        return written ?? await DeployedStateWrite.BeginAsync(db, jobId, rendered.ExtensionsSha256, prepare(), CancellationToken.None);
    }

    /// <summary>A tenant admin's scope is its own tenant (naming another is a 404, as for any object of another tenant); a
    /// platform role's is the whole platform, or the one tenant it names.</summary>
    private async Task<ApplyScope> ScopeAsync(RequestContext ctx, Guid? tenantId, CancellationToken ct)
    {
        if (ctx.Role == Role.TenantAdmin)
        {
            var own = ctx.TenantId ?? Guid.Empty;
            if (tenantId is { } named && named != own) throw Problem.NotFound("Tenant", named);
            return ApplyScope.Tenant(own);
        }
        if (tenantId is not { } id) return ApplyScope.Platform;
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @id)", new { id }, cancellationToken: ct)))
            throw Problem.NotFound("Tenant", id);
        return ApplyScope.Tenant(id);
    }

    /// <summary>The database now for the tenants in <paramref name="scope"/>, the deployed state for every other tenant.</summary>
    private async Task<ScopedParts> ReadScopedAsync(ApplyScope scope, CancellationToken ct)
    {
        var current = await DialplanSnapshotReader.ReadAsync(db, snapshots, ct);
        if (scope.IsPlatform) return ScopedSnapshot.Build(current, new Dictionary<Guid, TenantPart>(), scope);
        await using var conn = await db.OpenConnectionAsync(ct);
        return ScopedSnapshot.Build(current, await DeployedState.PartsAsync(conn, ct), scope);
    }

    private async Task RefuseWhenDeployedStateUnknownAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await DeployedState.UnrecordedDeployExistsAsync(conn, ct))
            throw Problem.Conflict("What the other tenants have live was deployed before it was recorded, so an apply of one tenant " +
                                   "cannot leave them as they are. A platform admin must apply the whole platform once (POST /api/v1/apply).");
    }
}
