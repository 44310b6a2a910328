using System.Diagnostics.Metrics;
using Dapper;
using Did.Infrastructure.Observability;
using Npgsql;

namespace Did.Features.Dids;

/// <summary><c>did.numbers</c>: how many numbers are UNASSIGNED, ALLOCATED, ASSIGNED and QUARANTINED, from the exact counts
/// the DID list keeps (<c>phone_number_counts</c> and its pending deltas), never by counting the inventory. UNASSIGNED
/// numbers have no tenant and no quarantine, QUARANTINED ones no tenant and a quarantine, ASSIGNED ones have a route,
/// ALLOCATED ones are held without one.</summary>
public sealed class NumberStatusGauge : IScrapeGauge
{
    private readonly NpgsqlDataSource _db;
    private volatile Measurement<long>[] _counts = [];

    public NumberStatusGauge(IMeterFactory meters, NpgsqlDataSource db)
    {
        _db = db;
        meters.Create(DidMeter.Name).CreateObservableGauge("did.numbers", () => _counts, "{number}",
            "Numbers in the inventory by status (UNASSIGNED, ALLOCATED, ASSIGNED, QUARANTINED), from the list's exact counts.");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        var (unassigned, quarantined, held, routed) = await conn.QuerySingleAsync<(long, long, long, long)>(new CommandDefinition("""
            SELECT coalesce(sum(n) FILTER (WHERE tenant_id IS NULL AND assigned_type IS NULL AND NOT quarantined), 0)::bigint,
                   coalesce(sum(n) FILTER (WHERE quarantined), 0)::bigint,
                   coalesce(sum(n) FILTER (WHERE tenant_id IS NOT NULL AND assigned_type IS NULL), 0)::bigint,
                   coalesce(sum(n) FILTER (WHERE assigned_type IS NOT NULL), 0)::bigint
            FROM (SELECT tenant_id, assigned_type, quarantined, n FROM phone_number_counts
                  UNION ALL
                  SELECT tenant_id, assigned_type, quarantined, n FROM phone_number_count_deltas) c
            """, cancellationToken: ct));
        _counts =
        [
            new(unassigned, new KeyValuePair<string, object?>("status", "UNASSIGNED")),
            new(held - routed, new KeyValuePair<string, object?>("status", "ALLOCATED")),
            new(routed, new KeyValuePair<string, object?>("status", "ASSIGNED")),
            new(quarantined, new KeyValuePair<string, object?>("status", "QUARANTINED")),
        ];
    }
}
