using Dapper;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Folds the pending deltas of <c>phone_number_counts</c> (M0009) into the counts, so that a list's total sums a
/// few rows per tenant and provider instead of every change since the start. Exact under concurrency: the deltas it
/// deletes and the counts it adds them to change in one transaction, so any snapshot sees each delta either still
/// pending or already counted, never both or neither; a delta committed after the fold began is not visible to its
/// DELETE and waits for the next fold. One fold at a time across replicas (an advisory lock); the others skip.</summary>
public sealed class PhoneNumberCountsFolder(NpgsqlDataSource db, IConfiguration config, ILogger<PhoneNumberCountsFolder> log)
    : BackgroundService
{
    private const long LockKey = 0x434F554E54534653; // "COUNTSFS"
    private static readonly TimeSpan VacuumEvery = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _interval = TimeSpan.FromSeconds(config.GetValue<double?>("Dids:CountFoldSeconds") ?? 1);
    private DateTime _vacuumed = DateTime.UtcNow;
    private long _foldedSinceVacuum;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (_interval <= TimeSpan.Zero) return; // folded on demand only (tests)
        using var timer = new PeriodicTimer(_interval);
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                await FoldAsync(stop);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Totals stay exact while deltas wait: reads sum them; only their cost grows until a fold succeeds.
                log.LogWarning(e, "Folding the phone number count deltas failed; retrying at the next tick");
            }
        }
    }

    /// <summary>Moves every committed delta into the counts; returns how many delta rows it moved (0 when another fold
    /// holds the lock).</summary>
    public async Task<long> FoldAsync(CancellationToken ct)
    {
        long moved;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT pg_try_advisory_xact_lock(@LockKey)", new { LockKey }, tx, cancellationToken: ct)))
                return 0;
            moved = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                WITH moved AS (
                    DELETE FROM phone_number_count_deltas RETURNING tenant_id, provider, country, number_type, assigned_type, quarantined, n),
                summed AS (
                    SELECT tenant_id, provider, country, number_type, assigned_type, quarantined, sum(n) AS n, count(*) AS deltas
                    FROM moved GROUP BY 1, 2, 3, 4, 5, 6),
                added AS (
                    INSERT INTO phone_number_counts AS c (tenant_id, provider, country, number_type, assigned_type, quarantined, n)
                    SELECT tenant_id, provider, country, number_type, assigned_type, quarantined, n FROM summed WHERE n <> 0
                    ON CONFLICT (tenant_id, provider, country, number_type, assigned_type, quarantined) DO UPDATE SET n = c.n + excluded.n)
                SELECT coalesce(sum(deltas), 0)::bigint FROM summed
                """, transaction: tx, cancellationToken: ct));
            if (moved > 0)
                await conn.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM phone_number_counts WHERE n = 0", transaction: tx, cancellationToken: ct));
            await tx.CommitAsync(ct);

            // The deltas table is emptied every second: its dead rows are what a total's scan of it reads, so they are
            // vacuumed more often than autovacuum's minute.
            _foldedSinceVacuum += moved;
            if (_foldedSinceVacuum > 0 && DateTime.UtcNow - _vacuumed >= VacuumEvery)
            {
                await conn.ExecuteAsync(new CommandDefinition("VACUUM phone_number_count_deltas", cancellationToken: ct));
                (_vacuumed, _foldedSinceVacuum) = (DateTime.UtcNow, 0);
            }
        }
        return moved;
    }
}
