using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Npgsql;

namespace Did.Infrastructure.Audit;

/// <summary>JSON and database text: CREATE, UPDATE, DELETE, ...</summary>
public enum AuditAction
{
    Create,
    Update,
    Delete,
    Import,
    Allocate,
    Deallocate,
    Release,
    Assign,
    Reassign,
    Unassign,
    Apply,
    Revoke,
    UseFromNewAddress,
    EndQuarantine,
    ChangePassword,
}

/// <summary>What was changed: TENANT, USER, PHONE_NUMBER, ...</summary>
public enum AuditEntity
{
    Tenant,
    User,
    PhoneNumber,
    Ivr,
    Queue,
    ApplyJob,
    ApiKey,
    Schedule,
    DriftCheck,
}

/// <summary>Writes the audit row inside the caller's transaction, so the row and the change commit or vanish together.
/// <paramref name="before"/> and <paramref name="after"/> are API response objects: they never hold secrets.
/// (The route changes write their audit row in the statement of their change: AssignDid, UnassignDid.)</summary>
public static class AuditLog
{
    public const string InsertSql = """
        INSERT INTO audit_logs (id, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
        VALUES (@AuditId, @AuditActor, @AuditActionName, @AuditEntityType, @AuditEntityId, @AuditTenantId, @AuditBefore::jsonb,
                @AuditAfter::jsonb, @AuditIp, @AuditUserAgent, @AuditRequestId)
        """;

    /// <returns>The audit row's id (a bulk change links its numbers to it: audit_log_numbers).</returns>
    public static async Task<Guid> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx,
        AuditAction action, AuditEntity entity, Guid? entityId, Guid? tenantId, object? before, object? after, CancellationToken ct)
    {
        var row = new AuditParameters(ctx, action, entity, entityId, tenantId, before, after);
        await conn.ExecuteAsync(new CommandDefinition(InsertSql, row, tx, cancellationToken: ct));
        return row.AuditId;
    }
}

/// <summary>The parameters of <see cref="AuditLog.InsertSql"/>.</summary>
public sealed class AuditParameters(RequestContext ctx, AuditAction action, AuditEntity entity, Guid? entityId, Guid? tenantId,
    object? before, object? after)
{
    public Guid AuditId { get; } = Guid.CreateVersion7();
    public Guid? AuditActor { get; } = ctx.ActorId;
    public string AuditActionName { get; } = ApiJson.Name(action);
    public string AuditEntityType { get; } = ApiJson.Name(entity);
    public Guid? AuditEntityId { get; } = entityId;
    public Guid? AuditTenantId { get; } = tenantId;
    public string? AuditBefore { get; } = before is null ? null : ApiJson.Serialize(before);
    public string? AuditAfter { get; } = after is null ? null : ApiJson.Serialize(after);
    public string? AuditIp { get; } = ctx.SourceIp;
    public string? AuditUserAgent { get; } = ctx.UserAgent;
    public string? AuditRequestId { get; } = ctx.RequestId;
}
