using System.Globalization;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Errors;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>The least time between two applies that a tenant's admins request (<see cref="ApplyOptions.TenantMinIntervalSeconds"/>),
/// kept in the database so every replica enforces the same interval: one statement takes the tenant's turn only when
/// the last one is old enough, so two requests at once cannot both pass. An apply refused before it deployed anything
/// gives its turn back (<see cref="GiveBackAsync"/>).</summary>
public static class TenantApplyInterval
{
    /// <summary>A turn taken: the tenant and the time its row now holds, which only this turn wrote.</summary>
    public sealed record Turn(Guid TenantId, DateTime TakenAt);

    /// <summary>Takes the tenant's turn, or throws a 429 naming the seconds left; null when no interval is set.</summary>
    public static async Task<Turn?> TakeAsync(NpgsqlDataSource db, Guid tenantId, int seconds, CancellationToken ct)
    {
        if (seconds <= 0) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var (takenAt, wait) = await conn.QuerySingleAsync<(DateTime?, double?)>(new CommandDefinition("""
            WITH taken AS (
                INSERT INTO apply_tenant_intervals AS i (tenant_id, last_requested_at) VALUES (@tenantId, now())
                ON CONFLICT (tenant_id) DO UPDATE SET last_requested_at = now()
                WHERE i.last_requested_at <= now() - make_interval(secs => @seconds)
                RETURNING last_requested_at
            )
            SELECT (SELECT last_requested_at FROM taken),
                   CASE WHEN EXISTS (SELECT 1 FROM taken) THEN NULL
                        -- a row another request inserted at the same moment is not in this statement's snapshot: a full interval
                        ELSE coalesce(extract(epoch FROM (SELECT last_requested_at FROM apply_tenant_intervals WHERE tenant_id = @tenantId)
                                                         + make_interval(secs => @seconds) - now())::float8, @seconds) END
            """, new { tenantId, seconds }, cancellationToken: ct));
        if (wait is not { } left) return new Turn(tenantId, takenAt!.Value);
        var retry = Math.Max(1, (int)Math.Ceiling(left));
        throw new ProblemException(StatusCodes.Status429TooManyRequests, "Too many applies",
            $"Your tenant's last apply was requested less than {seconds.ToString(CultureInfo.InvariantCulture)} seconds ago; " +
            $"try again in {retry.ToString(CultureInfo.InvariantCulture)} seconds. Changes made meanwhile are deployed by the next apply.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = retry });
    }

    /// <summary>Whether an apply ended in a refusal that deployed nothing: a 409 (another apply held the lock past
    /// LockWaitSeconds, the deployed state is unknown) or data the renderer refuses (answered 409 too).</summary>
    public static bool RefusedBeforeDeploying(Exception e) => e is ProblemException { Status: StatusCodes.Status409Conflict } or DialplanException;

    /// <summary>Gives a refused apply's turn back: the tenant is as free as before it was taken (a turn is only taken when
    /// the last one is a full interval old, so no row and that older row mean the same). Only this turn's row goes: a
    /// newer turn taken meanwhile stays.</summary>
    public static async Task GiveBackAsync(NpgsqlDataSource db, Turn turn, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM apply_tenant_intervals WHERE tenant_id = @TenantId AND last_requested_at = @TakenAt", turn, cancellationToken: ct));
    }
}
