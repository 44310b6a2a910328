using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Returns numbers whose quarantine has run out to UNASSIGNED, every <c>Dids:QuarantineSweepSeconds</c> (default
/// 60; 0: only when called, as the tests do). Safe on every replica: a sweep holds a transaction-scoped advisory lock and
/// another replica's sweep skips its turn; the rows are taken FOR UPDATE SKIP LOCKED, so a number an admin is changing
/// at that moment waits for the next sweep instead of blocking this one. Each batch is one transaction with one END_QUARANTINE
/// audit row (no actor: the system) linked to every number it freed (audit_log_numbers, with the tenant it had left).</summary>
public sealed class QuarantineSweep(NpgsqlDataSource db, IConfiguration config, IServiceScopeFactory scopes, ILogger<QuarantineSweep> log)
    : BackgroundService
{
    private const long LockKey = 0x5155415253574550; // "QUARSWEP"
    public const int BatchSize = 10_000;

    private readonly TimeSpan _interval = TimeSpan.FromSeconds(config.GetValue<double?>("Dids:QuarantineSweepSeconds") ?? 60);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (_interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(_interval);
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                var freed = await SweepAsync(stop);
                if (freed > 0) log.LogInformation("Quarantine sweep returned {Count} number(s) to the inventory", freed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An expired quarantine is already free for allocation (NumberQuarantine.FreeFor); the sweep only tidies status.
                log.LogWarning(e, "The quarantine sweep failed; retrying at the next tick");
            }
        }
    }

    /// <summary>Frees every quarantine that has run out, in batches; returns how many numbers it freed (0 when another
    /// replica's sweep holds the lock).</summary>
    public async Task<long> SweepAsync(CancellationToken ct)
    {
        long total = 0;
        while (true)
        {
            var freed = await SweepBatchAsync(ct);
            total += freed;
            if (freed < BatchSize) return total;
        }
    }

    private sealed record Freed(Guid Id, Guid? FromTenantId);

    private async Task<int> SweepBatchAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_xact_lock(@LockKey)", new { LockKey }, tx, cancellationToken: ct)))
            return 0;
        var freed = (await conn.QueryAsync<Freed>(new CommandDefinition("""
            WITH due AS (
                SELECT id, quarantined_from_tenant_id FROM phone_numbers
                WHERE status = 'QUARANTINED' AND quarantine_until <= now()
                ORDER BY quarantine_until
                LIMIT @BatchSize
                FOR UPDATE SKIP LOCKED)
            UPDATE phone_numbers p
            SET status = 'UNASSIGNED', quarantine_until = NULL, quarantined_from_tenant_id = NULL, updated_at = clock_timestamp()
            FROM due WHERE p.id = due.id
            RETURNING p.id, due.quarantined_from_tenant_id AS from_tenant_id
            """, new { BatchSize }, tx, commandTimeout: 0, cancellationToken: ct))).AsList();
        if (freed.Count == 0) return 0;

        using var scope = scopes.CreateScope();
        var system = scope.ServiceProvider.GetRequiredService<RequestContext>();
        var audit = await AuditLog.WriteAsync(conn, tx, system, AuditAction.EndQuarantine, AuditEntity.PhoneNumber, null, null, null,
            new { count = freed.Count, reason = "quarantine expired" }, ct);
        await BulkNumbers.LinkAsync(conn, tx, audit, freed.Select(f => f.Id), freed.Select(f => f.FromTenantId), null, ct);
        await tx.CommitAsync(ct);
        return freed.Count;
    }
}
