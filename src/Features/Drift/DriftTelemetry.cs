using System.Diagnostics.Metrics;
using Dapper;
using Did.Features.Apply;
using Did.Infrastructure.Json;
using Did.Infrastructure.Observability;
using Npgsql;

namespace Did.Features.Drift;

/// <summary><c>did.apply.drift_checks</c>: drift checks by how they ended (IN_SYNC, DRIFTED, INCONCLUSIVE, FAILED), counted
/// by the replica that ran them.</summary>
public static class DriftTelemetry
{
    private static readonly Counter<long> Checks = DidMeter.Shared.CreateCounter<long>(
        "did.apply.drift_checks", "{check}", "Drift checks by how they ended: IN_SYNC, DRIFTED, INCONCLUSIVE, FAILED.");

    public static void Checked(DriftCheckResponse check) =>
        Checks.Add(1, new KeyValuePair<string, object?>("outcome", ApiJson.Name(check.Status)));
}

/// <summary><c>did.apply.drift.in_sync</c>: per configured node, 1 when the newest conclusive drift check (IN_SYNC or
/// DRIFTED) found it running what was deployed, 0 when it found drift. Read from the checks when scraped, so every
/// replica tells the same. A node no conclusive check has reached has no series.</summary>
public sealed class DriftGauge : IScrapeGauge
{
    private readonly NpgsqlDataSource _db;
    private readonly AsteriskNodes _nodes;
    private volatile Measurement<int>[] _inSync = [];

    public DriftGauge(IMeterFactory meters, NpgsqlDataSource db, AsteriskNodes nodes)
    {
        (_db, _nodes) = (db, nodes);
        meters.Create(DidMeter.Name).CreateObservableGauge("did.apply.drift.in_sync", () => _inSync, "{node}",
            "1 when the newest conclusive drift check found the node running what was deployed, 0 when it found drift.");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        string[] names = [.. _nodes.AllOrNone.Select(n => n.Name)];
        if (names.Length == 0)
        {
            _inSync = []; // Apply is not configured: no node to tell about
            return;
        }
        await using var conn = await _db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Node, bool InSync)>(new CommandDefinition("""
            SELECT n->>'node', (n->>'in_sync')::boolean
            FROM (SELECT nodes FROM drift_checks WHERE status IN ('IN_SYNC', 'DRIFTED') ORDER BY started_at DESC, id DESC LIMIT 1) c,
                 jsonb_array_elements(c.nodes) n
            WHERE n->>'node' = ANY(@names) AND jsonb_typeof(n->'in_sync') = 'boolean'
            """, new { names }, cancellationToken: ct));
        _inSync = [.. rows.Select(r => new Measurement<int>(r.InSync ? 1 : 0, new KeyValuePair<string, object?>("node", r.Node)))];
    }
}
