using System.Globalization;
using Dapper;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>What the DID slices share about quarantine (M0031): the SQL that takes numbers back from their tenant into
/// QUARANTINED (or straight to UNASSIGNED when <c>Dids:QuarantineDays</c> is 0), the condition under which a tenant may
/// have a number, and the words of the refusal, so the single and the bulk operations decide and explain alike.</summary>
internal static class NumberQuarantine
{
    /// <summary>SQL condition on <c>phone_numbers</c> (alias <paramref name="p"/>): the number is free for tenant
    /// <paramref name="tenant"/> (SQL expression): in the inventory, or quarantined from that same tenant, or quarantined
    /// past its date (the sweep has not yet come by).</summary>
    public static string FreeFor(string p, string tenant) =>
        $"({p}.status = 'UNASSIGNED' OR ({p}.status = 'QUARANTINED' AND ({p}.quarantined_from_tenant_id = {tenant} OR {p}.quarantine_until <= now())))";

    /// <summary>The SET list that takes a held number (status ALLOCATED, routes already removed) back from its tenant:
    /// into quarantine until now() + @quarantineDays days, remembering the tenant; with 0 days, into the inventory.
    /// updated_at is the clock as the row is written, under its lock, so it follows the order of the number's changes;
    /// quarantine_until keeps the transaction's now(), the value BulkDeallocate's audit row records for it.</summary>
    public const string TakeBack = """
        status = CASE WHEN @quarantineDays > 0 THEN 'QUARANTINED' ELSE 'UNASSIGNED' END,
        quarantine_until = CASE WHEN @quarantineDays > 0 THEN now() + make_interval(days => @quarantineDays) END,
        quarantined_from_tenant_id = CASE WHEN @quarantineDays > 0 THEN tenant_id END,
        tenant_id = NULL, updated_at = clock_timestamp()
        """;

    /// <summary>The SET list that gives a number to @TenantId, ending any quarantine it was in; updated_at as in
    /// <see cref="TakeBack"/>.</summary>
    public const string Give = """
        status = 'ALLOCATED', tenant_id = @TenantId, quarantine_until = NULL, quarantined_from_tenant_id = NULL, updated_at = clock_timestamp()
        """;

    public static string Date(DateTime until) => until.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Why another tenant may not have a quarantined number, naming the moment it frees up.</summary>
    public static string Refusal(string number, DateTime until, string? fromTenantName) =>
        $"DID {number} is quarantined until {Date(until)}" +
        (fromTenantName is null ? "" : $" after leaving tenant '{fromTenantName}'; only that tenant may have it back before then") +
        $"; it frees up for any tenant at {Date(until)}";

    /// <summary>Ends the routes of the given numbers (their rules go with them, ON DELETE CASCADE) and writes one UNASSIGN
    /// audit row per route removed, in one statement, as UnassignDid does for one: <c>before</c> is the route as stored.
    /// Returns how many routes ended.</summary>
    public static Task<int> EndRoutesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Infrastructure.Auth.RequestContext ctx, Guid[] numberIds,
        CancellationToken ct)
    {
        var auditIds = numberIds.Select(_ => Guid.CreateVersion7()).ToArray();
        return conn.ExecuteAsync(new CommandDefinition("""
            WITH gone AS (DELETE FROM did_assignments WHERE phone_number_id = ANY(@numberIds) RETURNING *)
            INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
            SELECT x.audit_id, clock_timestamp(), @actor, 'UNASSIGN', 'PHONE_NUMBER', g.phone_number_id, g.tenant_id,
                   jsonb_build_object('id', g.id, 'phone_number_id', g.phone_number_id, 'phone_number', g.number,
                       'assigned_type', g.assigned_type, 'assigned_id', g.assigned_id, 'assigned_value', g.assigned_value,
                       'ring_seconds', g.ring_seconds, 'failover', CASE WHEN g.failover_type IS NOT NULL THEN jsonb_build_object(
                           'type', g.failover_type, 'id', g.failover_id, 'value', g.failover_value) END,
                       'created_by', g.created_by, 'created_at', g.created_at, 'updated_at', g.updated_at),
                   NULL, @ip, @userAgent, @requestId
            FROM gone g JOIN unnest(@numberIds, @auditIds) AS x(number_id, audit_id) ON x.number_id = g.phone_number_id
            ORDER BY x.audit_id
            """, new { numberIds, auditIds, actor = ctx.ActorId, ip = ctx.SourceIp, userAgent = ctx.UserAgent, requestId = ctx.RequestId },
            tx, commandTimeout: 0, cancellationToken: ct));
    }
}
