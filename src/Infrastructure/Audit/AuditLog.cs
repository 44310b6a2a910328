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
}

/// <summary>Writes the audit row inside the caller's transaction, so the row and the change commit or vanish together.
/// <paramref name="before"/> and <paramref name="after"/> are API response objects: they never hold secrets.</summary>
public static class AuditLog
{
    public static Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx,
        AuditAction action, AuditEntity entity, Guid? entityId, Guid? tenantId, object? before, object? after, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_logs (id, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
            VALUES (@id, @actor, @action, @entity, @entityId, @tenantId, @before::jsonb, @after::jsonb, @ip, @ua, @requestId)
            """,
            new
            {
                id = Guid.CreateVersion7(),
                actor = ctx.ActorId,
                action = ApiJson.Name(action),
                entity = ApiJson.Name(entity),
                entityId,
                tenantId,
                before = before is null ? null : ApiJson.Serialize(before),
                after = after is null ? null : ApiJson.Serialize(after),
                ip = ctx.SourceIp,
                ua = ctx.UserAgent,
                requestId = ctx.RequestId,
            }, tx, cancellationToken: ct));
}
