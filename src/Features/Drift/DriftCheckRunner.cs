using System.Collections.Concurrent;
using System.Text;
using Dapper;
using Did.Dialplan;
using Did.Features.Apply;
using Did.Infrastructure.Ami;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.Drift;

/// <summary>Runs a drift check: renders the deployed state (what the last successful apply left live), then compares each
/// node's live files byte for byte and every rendered context as the switch runs it (AMI <c>ShowDialPlan</c>, in parallel
/// over <see cref="ApplyOptions.VerifyConnections"/> connections) by digest, as verify does (<see cref="LiveContextComparison.Matches"/>):
/// the file is read for one digest per context, and only a context whose digest differs is read again to say what
/// differs. One at a time across replicas, by an advisory lock of its own: it never takes or waits for the apply lock,
/// so it never blocks an apply; an apply that runs meanwhile makes the result INCONCLUSIVE instead. Once started it
/// runs to its end, whatever the caller does.</summary>
public sealed class DriftCheckRunner(
    NpgsqlDataSource db, DedicatedConnections dedicated, AsteriskNodes nodes, DialplanSettings settings, IOptions<ApplyOptions> options,
    ApplyWorkFolder work, ILogger<DriftCheckRunner> log)
{
    public const long LockKey = 0x4449445F44524654; // "DID_DRFT"

    private static readonly CancellationToken ToTheEnd = CancellationToken.None;

    /// <summary>The finished check, or null when another check is running (here or on another replica). The check is
    /// requested by <paramref name="ctx"/>'s actor (none: the schedule).</summary>
    public async Task<DriftCheckResponse?> TryRunAsync(RequestContext ctx, CancellationToken ct)
    {
        var targets = nodes.All; // a missing node configuration is a 503 before any check exists
        await using var session = await dedicated.OpenAsync("did-drift-lock", ct);
        if (!await session.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct)))
            return null;
        await DriftCheckStore.FailStaleAsync(session, ct);
        var check = await DriftCheckStore.StartAsync(session, ctx.ActorId, ct);
        DriftCheckResponse done;
        try
        {
            var (status, deployedJob, results, error) = await CompareAsync(check, targets);
            done = await DriftCheckStore.FinishAsync(session, ctx, check.Id, status, deployedJob, results, error, ToTheEnd);
        }
        catch (Exception e)
        {
            log.LogError(e, "Drift check {Check} failed", check.Id);
            done = await DriftCheckStore.FinishAsync(session, ctx, check.Id, DriftCheckStatus.Failed, null, [], ApplyStepLog.Describe(e), ToTheEnd);
        }
        DriftTelemetry.Checked(done);
        // Closing the session releases the lock.
        return done;
    }

    private async Task<(DriftCheckStatus, Guid?, List<DriftNode>, string?)> CompareAsync(DriftCheckResponse check, IReadOnlyList<AsteriskNode> targets)
    {
        DeployedBaseline? baseline;
        Dictionary<Guid, TenantPart> parts;
        await using (var conn = await db.OpenConnectionAsync(ToTheEnd))
        {
            baseline = await DeployedState.BaselineAsync(conn, ToTheEnd);
            parts = baseline is null ? [] : await DeployedState.PartsAsync(conn, ToTheEnd);
        }
        if (baseline is null)
            return (DriftCheckStatus.Failed, null, [], "No apply has recorded what it deployed yet: there is nothing to compare with. Apply first.");

        var folder = work.CreateFolder("drift-" + check.Id.ToString("N"));
        try
        {
            var rendered = await ApplyPipeline.RenderIntoAsync(folder, ScopedSnapshot.Join(parts.Values), settings);
            if (rendered.Result.ExtensionsSha256 != baseline.ContentSha256)
                return (DriftCheckStatus.Inconclusive, baseline.JobId, [],
                    $"What apply job {baseline.JobId} deployed no longer renders to the same file (the Dialplan settings changed since): " +
                    "the switch cannot be compared with it. Apply to deploy with the current settings.");
            var contexts = await Task.Run(() =>
            {
                using var reader = new StreamReader(rendered.ExtensionsPath, Encoding.UTF8, false, 1 << 16);
                return ContextDigests.Read(reader);
            });
            var results = new List<DriftNode>(targets.Count);
            foreach (var node in targets) results.Add(await CheckNodeAsync(node, rendered, contexts));

            if (await ApplyRanSinceAsync(check.StartedAt) is { } apply)
                return (DriftCheckStatus.Inconclusive, baseline.JobId, results,
                    $"Apply job {apply} ran during the check, so what was compared may be half old, half new. The next check will tell.");
            var status = results.Any(r => r.InSync == false) ? DriftCheckStatus.Drifted
                : results.Any(r => r.InSync is null) ? DriftCheckStatus.Failed
                : DriftCheckStatus.InSync;
            var error = status == DriftCheckStatus.Failed ? "Some nodes could not be checked: " + string.Join("; ", results.Where(r => r.Error is not null).Select(r => $"{r.Node}: {r.Error}")) : null;
            return (status, baseline.JobId, results, error);
        }
        finally
        {
            work.Remove(folder);
        }
    }

    private async Task<DriftNode> CheckNodeAsync(AsteriskNode node, RenderedFiles rendered, IReadOnlyList<ContextDigest> contexts)
    {
        var files = new List<DriftFile>();
        try
        {
            foreach (var (live, mine, name) in new[]
                     {
                         (node.ExtensionsPath, rendered.ExtensionsPath, DialplanRenderer.ExtensionsFileName),
                         (node.QueuesPath, rendered.QueuesPath, DialplanRenderer.QueuesFileName),
                     })
            {
                if (await NodeFiles.SameBytesAsync(live, mine, ToTheEnd)) continue;
                var diff = await Task.Run(() => NodeFiles.Diff(live, mine, name, null));
                files.Add(new DriftFile(name, diff.UnifiedDiff, diff.Truncated));
            }
            if (node.Ami is null) return new DriftNode(node.Name, files.Count == 0, [], files, null);
            var differing = await LiveContextsAsync(node, rendered.ExtensionsPath, contexts);
            return new DriftNode(node.Name, files.Count == 0 && differing.Count == 0, differing, files, null);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Drift check of node {Node} failed", node.Name);
            return new DriftNode(node.Name, null, [], files, ApplyStepLog.Describe(e));
        }
    }

    /// <summary>Every rendered context as the switch runs it, one worker per connection taking the next context; in file
    /// order, each context that is missing or whose digest differs, with what differs. Only the switch's answers that
    /// differ are kept, and described from the file once the listing is done.</summary>
    private async Task<List<DriftContext>> LiveContextsAsync(AsteriskNode node, string renderedExtensions, IReadOnlyList<ContextDigest> contexts)
    {
        var clients = new List<AmiClient>();
        var differing = new ConcurrentBag<(int Index, DriftContext Context)>();
        var unmatched = new ConcurrentBag<Unmatched>();
        var next = -1;
        try
        {
            for (var i = 0; i < Math.Max(1, options.Value.VerifyConnections); i++) clients.Add(await node.Ami!.OpenAsync(ToTheEnd));
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = clients.Count }, async (ami, token) =>
            {
                for (var index = Interlocked.Increment(ref next); index < contexts.Count; index = Interlocked.Increment(ref next))
                {
                    var expected = contexts[index];
                    var live = await ami.ShowDialPlanAsync(expected.Name, null, AmiListLimits.Around(expected.Entries), token);
                    if (!live.Found) differing.Add((index, new DriftContext(expected.Name, [$"missing: the switch has no context '{expected.Name}' ({live.Message})"])));
                    else if (!LiveContextComparison.Matches(expected, live)) unmatched.Add(new Unmatched(index, expected, live));
                }
            });
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
        await Task.Run(() => Describe(renderedExtensions, [.. unmatched], differing));
        return [.. differing.OrderBy(d => d.Index).Select(d => d.Context)];
    }

    /// <summary>A rendered context (its <see cref="Index"/> in the file's contexts) whose digest the switch's answer does not match.</summary>
    private sealed record Unmatched(int Index, ContextDigest Expected, AmiDialplan Live);

    /// <summary>Reads the sections of <paramref name="contexts"/> from the rendered file once more and adds each one that
    /// <see cref="LiveContextComparison.Lines"/> finds different, with its lines. A section is known by its header's
    /// line, so a context written twice is told apart.</summary>
    private static void Describe(string renderedExtensions, IReadOnlyList<Unmatched> contexts, ConcurrentBag<(int Index, DriftContext Context)> differing)
    {
        if (contexts.Count == 0) return;
        var byLine = contexts.ToDictionary(c => c.Expected.LineNumber);
        var sections = NodeFiles.ReadContexts(renderedExtensions, contexts.Select(c => c.Expected.Name).ToHashSet(StringComparer.Ordinal));
        var described = 0;
        foreach (var section in sections)
        {
            if (!byLine.TryGetValue(section.LineNumber, out var c)) continue;
            described++;
            if (LiveContextComparison.Lines(section, c.Live) is { Count: > 0 } lines) differing.Add((c.Index, new DriftContext(c.Expected.Name, lines)));
        }
        // The digests and the sections come from one file of the renderer, which writes neither a '\r' nor a block comment.
        if (described != contexts.Count)
            throw new InvalidOperationException($"The rendered file's sections do not line up with its contexts ({contexts.Count - described} not found).");
    }

    /// <summary>An apply that ran at any time since <paramref name="since"/>, or runs now.</summary>
    private async Task<Guid?> ApplyRanSinceAsync(DateTime since)
    {
        await using var conn = await db.OpenConnectionAsync(ToTheEnd);
        return await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM apply_jobs WHERE status = 'RUNNING' OR started_at >= @since OR finished_at >= @since
            ORDER BY started_at DESC LIMIT 1
            """, new { since }, cancellationToken: ToTheEnd));
    }
}
