using System.Globalization;
using Dapper;
using Did.Infrastructure.Errors;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>The least time between two applies that a tenant's admins request (<see cref="ApplyOptions.TenantMinIntervalSeconds"/>),
/// kept in the database so every replica enforces the same interval: one statement takes the tenant's turn only when
/// the last one is old enough, so two requests at once cannot both pass.</summary>
public static class TenantApplyInterval
{
    public static async Task TakeAsync(NpgsqlDataSource db, Guid tenantId, int seconds, CancellationToken ct)
    {
        if (seconds <= 0) return;
        await using var conn = await db.OpenConnectionAsync(ct);
        var wait = await conn.ExecuteScalarAsync<double?>(new CommandDefinition("""
            WITH taken AS (
                INSERT INTO apply_tenant_intervals AS i (tenant_id, last_requested_at) VALUES (@tenantId, now())
                ON CONFLICT (tenant_id) DO UPDATE SET last_requested_at = now()
                WHERE i.last_requested_at <= now() - make_interval(secs => @seconds)
                RETURNING 1
            )
            SELECT CASE WHEN EXISTS (SELECT 1 FROM taken) THEN NULL
                        -- a row another request inserted at the same moment is not in this statement's snapshot: a full interval
                        ELSE coalesce(extract(epoch FROM (SELECT last_requested_at FROM apply_tenant_intervals WHERE tenant_id = @tenantId)
                                                         + make_interval(secs => @seconds) - now())::float8, @seconds) END
            """, new { tenantId, seconds }, cancellationToken: ct));
        if (wait is not { } left) return;
        var retry = Math.Max(1, (int)Math.Ceiling(left));
        throw new ProblemException(StatusCodes.Status429TooManyRequests, "Too many applies",
            $"Your tenant's last apply was requested less than {seconds.ToString(CultureInfo.InvariantCulture)} seconds ago; " +
            $"try again in {retry.ToString(CultureInfo.InvariantCulture)} seconds. Changes made meanwhile are deployed by the next apply.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = retry });
    }
}
