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
/// (The route changes write their audit row in the statement of their change: AssignDid, UnassignDid.)
/// A row is stamped (<c>at</c>) with <c>clock_timestamp()</c> as it is written, after every lock the change took, never
/// with the transaction's start (<c>now()</c>): a change that began first but waited for another's lock is stamped after
/// it, so one object's rows sorted by time form the chain of their before and after (docs/decisions.md).</summary>
public static class AuditLog
{
    public static readonly string InsertSql = Insert(at: "clock_timestamp()");

    /// <summary><see cref="InsertSql"/> stamped with the transaction's <c>now()</c>: only for a row about objects this
    /// transaction created, which no other transaction can have locked before it commits, so no row about them can come
    /// before it. An import stamps its numbers' <c>created_at</c> and its audit row alike with it, and a number's history
    /// finds its import by that equality (GetDidHistory).</summary>
    public static readonly string InsertAtTransactionStartSql = Insert(at: "now()");

    private static string Insert(string at) => $"""
        INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
        VALUES (@AuditId, {at}, @AuditActor, @AuditActionName, @AuditEntityType, @AuditEntityId, @AuditTenantId,
                @AuditBefore::jsonb, @AuditAfter::jsonb, @AuditIp, @AuditUserAgent, @AuditRequestId)
        """;

    /// <returns>The audit row's id (a bulk change links its numbers to it: audit_log_numbers).</returns>
    public static Task<Guid> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx,
        AuditAction action, AuditEntity entity, Guid? entityId, Guid? tenantId, object? before, object? after, CancellationToken ct) =>
        WriteAsync(InsertSql, conn, tx, new AuditParameters(ctx, action, entity, entityId, tenantId, before, after), ct);

    /// <summary>The row of a change that created what it is about, stamped as its rows' <c>created_at</c> default (the
    /// transaction's <c>now()</c>): <see cref="InsertAtTransactionStartSql"/>.</summary>
    public static Task<Guid> WriteAtTransactionStartAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx,
        AuditAction action, AuditEntity entity, Guid? entityId, Guid? tenantId, object? before, object? after, CancellationToken ct) =>
        WriteAsync(InsertAtTransactionStartSql, conn, tx, new AuditParameters(ctx, action, entity, entityId, tenantId, before, after), ct);

    private static async Task<Guid> WriteAsync(string sql, NpgsqlConnection conn, NpgsqlTransaction tx, AuditParameters row, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition(sql, row, tx, cancellationToken: ct));
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
