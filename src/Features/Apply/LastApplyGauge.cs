using System.Diagnostics.Metrics;
using Dapper;
using Did.Infrastructure.Observability;
using Npgsql;

namespace Did.Features.Apply;

/// <summary><c>did.apply.last_success.age</c>: per configured node, the seconds since the newest apply that left it
/// in step with the database, i.e. a job that ended SUCCEEDED or NO_CHANGES and compared the node's files (its
/// <c>diff:node</c> step). Read from the jobs when scraped, so every replica tells the same age. A node no such
/// apply has reached yet has no series; with Apply unconfigured there is none.</summary>
public sealed class LastApplyGauge : IScrapeGauge
{
    private readonly NpgsqlDataSource _db;
    private readonly AsteriskNodes _nodes;
    private volatile Measurement<double>[] _ages = [];

    public LastApplyGauge(IMeterFactory meters, NpgsqlDataSource db, AsteriskNodes nodes)
    {
        (_db, _nodes) = (db, nodes);
        meters.Create(DidMeter.Name).CreateObservableGauge("did.apply.last_success.age", () => _ages, "s",
            "Seconds since the newest apply that left the node in step with the database (SUCCEEDED or NO_CHANGES).");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        string[] names = [.. _nodes.AllOrNone.Select(n => n.Name)];
        if (names.Length == 0)
        {
            _ages = []; // Apply is not configured: no node to tell about
            return;
        }
        await using var conn = await _db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Node, double Age)>(new CommandDefinition("""
            SELECT n.node, extract(epoch FROM now() - max(j.finished_at))::float8
            FROM unnest(@names::text[]) AS n(node)
            JOIN apply_jobs j ON j.status IN ('SUCCEEDED', 'NO_CHANGES')
                AND j.steps @> jsonb_build_array(jsonb_build_object('name', 'diff:' || n.node, 'status', 'OK'))
            GROUP BY n.node
            """, new { names }, cancellationToken: ct));
        _ages = [.. rows.Select(r => new Measurement<double>(Math.Max(0, r.Age), new KeyValuePair<string, object?>("node", r.Node)))];
    }
}
