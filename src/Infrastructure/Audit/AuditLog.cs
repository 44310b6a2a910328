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
/// <paramref name="before"/> and <paramref name="after"/> are API response objects: they never hold secrets.
/// A hot path can send <see cref="InsertSql"/> with its change instead (one round trip less), in the same batch or as the
/// final statement after its change's CTEs, with <see cref="AddParameters"/>; its parameter names start with
/// <c>audit_</c> so they do not clash with the change's.</summary>
public static class AuditLog
{
    public const string InsertSql = """
        INSERT INTO audit_logs (id, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
        VALUES (@audit_id, @audit_actor, @audit_action, @audit_entity, @audit_entity_id, @audit_tenant_id, @audit_before::jsonb,
                @audit_after::jsonb, @audit_ip, @audit_ua, @audit_request_id)
        """;

    public static Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx,
        AuditAction action, AuditEntity entity, Guid? entityId, Guid? tenantId, object? before, object? after, CancellationToken ct)
    {
        var p = new DynamicParameters();
        AddParameters(p, ctx, action, entity, entityId, tenantId, before, after);
        return conn.ExecuteAsync(new CommandDefinition(InsertSql, p, tx, cancellationToken: ct));
    }

    public static void AddParameters(DynamicParameters p, RequestContext ctx,
        AuditAction action, AuditEntity entity, Guid? entityId, Guid? tenantId, object? before, object? after) =>
        p.AddDynamicParams(new
        {
            audit_id = Guid.CreateVersion7(),
            audit_actor = ctx.ActorId,
            audit_action = ApiJson.Name(action),
            audit_entity = ApiJson.Name(entity),
            audit_entity_id = entityId,
            audit_tenant_id = tenantId,
            audit_before = before is null ? null : ApiJson.Serialize(before),
            audit_after = after is null ? null : ApiJson.Serialize(after),
            audit_ip = ctx.SourceIp,
            audit_ua = ctx.UserAgent,
            audit_request_id = ctx.RequestId,
        });
}
