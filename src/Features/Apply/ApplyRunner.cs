using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Starts applies and previews. An apply takes the lock (one at a time across every replica), recovers any
/// job a stopped process left behind, and runs the <see cref="ApplyPipeline"/> in a private work folder; a preview
/// renders and diffs without the lock and touches nothing.</summary>
public sealed class ApplyRunner(
    NpgsqlDataSource db, DedicatedConnections dedicated, AsteriskNodes nodes, DialplanSettings settings, IOptions<ApplyOptions> options,
    ApplyWorkFolder work, TimeProvider clock, ILogger<ApplyRunner> log)
{
    public async Task<ApplyJobResponse> ApplyAsync(RequestContext ctx, CancellationToken ct)
    {
        var targets = nodes.All; // a missing node configuration is a 503 before any job exists
        await using var held = await ApplyLock.TryTakeAsync(dedicated, TimeSpan.FromSeconds(options.Value.LockWaitSeconds), ct);
        if (held is null)
        {
            var running = await ApplyJobStore.RunningAsync(db, ct);
            throw Problem.Conflict($"Another apply is running{(running is { } r ? $" (job {r})" : "")}; try again when it has finished.",
                new Dictionary<string, object?> { ["running_job_id"] = running });
        }
        // From here the apply runs to its end, whatever the client does: a client that hangs up must not leave a
        // half-deployed switch.
        await ApplyRecovery.RecoverAsync(db, targets, ctx, log, CancellationToken.None);
        var jobId = await ApplyJobStore.StartAsync(db, ctx.ActorId, CancellationToken.None);
        var folder = work.CreateFolder(jobId.ToString("N"));
        try
        {
            var pipeline = new ApplyPipeline(db, targets, settings, options.Value, clock, jobId, folder);
            var end = await pipeline.RunAsync();
            var job = await ApplyJobStore.FinishAsync(db, ctx, jobId, end, pipeline.Steps, CancellationToken.None);
            if (end.Refused is { } refused) throw refused; // recorded as FAILED; answered as a 409 (DialplanRefusal)
            return job;
        }
        finally
        {
            work.Remove(folder);
        }
    }

    /// <summary>At start-up: recover only if no other replica is applying right now.</summary>
    public async Task RecoverAtStartAsync(RequestContext ctx, CancellationToken ct)
    {
        await using var held = await ApplyLock.TryTakeAsync(dedicated, TimeSpan.Zero, ct);
        if (held is not null) await ApplyRecovery.RecoverAsync(db, nodes.All, ctx, log, ct);
    }

    /// <summary>A dry run: render, lint and diff against the first node's live files; takes no lock and touches nothing.
    /// With <paramref name="tenantId"/> it shows only what is that tenant's (<see cref="TenantDialplanView"/>): its lines,
    /// its numbers, no platform-wide hash and no lint findings.</summary>
    public async Task<ApplyPreviewResponse> PreviewAsync(Guid? tenantId, CancellationToken ct)
    {
        var node = nodes.All[0];
        var folder = work.CreateFolder("preview-" + Guid.NewGuid().ToString("N"));
        try
        {
            var snapshot = await DialplanSnapshotReader.ReadAsync(db, ct);
            var rendered = await ApplyPipeline.RenderIntoAsync(folder, snapshot, settings);
            var view = tenantId is { } t ? TenantDialplanView.For(snapshot, t) : null;
            DiffLineFilter? filter = view is null ? null : view.Shows;
            var extensions = NodeFiles.Diff(node.ExtensionsPath, rendered.ExtensionsPath, DialplanRenderer.ExtensionsFileName, filter);
            var queues = NodeFiles.Diff(node.QueuesPath, rendered.QueuesPath, DialplanRenderer.QueuesFileName, filter);
            var stats = extensions.Stats.Add(queues.Stats);
            var diff = extensions.UnifiedDiff + queues.UnifiedDiff;
            var truncated = extensions.Truncated || queues.Truncated;
            if (view is not null)
                return new ApplyPreviewResponse(view.NumbersRouted, null, stats, diff, truncated, !stats.IsEmpty, []);
            IReadOnlyList<LintFinding> findings;
            using (var reader = new StreamReader(rendered.ExtensionsPath)) findings = DialplanLinter.Lint(reader, DialplanLintOptions.For(settings));
            var changes = !await NodeFiles.SameBytesAsync(node.ExtensionsPath, rendered.ExtensionsPath, ct)
                          || !await NodeFiles.SameBytesAsync(node.QueuesPath, rendered.QueuesPath, ct);
            return new ApplyPreviewResponse(rendered.Result.NumbersRouted, rendered.Result.ExtensionsSha256, stats, diff, truncated, changes, findings);
        }
        finally
        {
            work.Remove(folder);
        }
    }
}
