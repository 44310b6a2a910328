using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Paging;
using Npgsql;

namespace Did.Infrastructure.Routing;

/// <summary>A table of tenant-owned objects (IVRs, queues, schedules), named uniquely per tenant: how to read its rows as
/// API responses.</summary>
public interface ITenantOwnedStore<T>
{
    static abstract string Table { get; }
    static abstract string What { get; }
    static abstract AuditEntity Entity { get; }
    static abstract Task<List<T>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string where, object args, CancellationToken ct);
    static abstract (Guid TenantId, string Name) Describe(T item);
}

/// <summary>A table of tenant-owned destinations (IVRs, queues): calls are routed to its rows.</summary>
public interface ITenantOwnedDestination<T> : ITenantOwnedStore<T>
{
    static abstract DestinationType Type { get; }
}

/// <summary>The sort key of a list of tenant-owned destinations.</summary>
public sealed record TenantOwnedCursor(Guid TenantId, string Name);

/// <summary>Get, list and delete are the same for every tenant-owned table: the tenant filter lives in the SQL,
/// another tenant's row is a 404, and a destination's delete is refused while calls still reach it.</summary>
public static class TenantOwned
{
    private const string Scoped = "(@scope::uuid IS NULL OR tenant_id = @scope)";

    public static async Task<T> GetAsync<TStore, T>(NpgsqlDataSource db, RequestContext ctx, Guid id, CancellationToken ct)
        where TStore : ITenantOwnedStore<T>
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var found = await TStore.ReadAsync(conn, null, $"WHERE id = @id AND {Scoped}", new { id, scope = ctx.TenantScope }, ct);
        return found.Count == 1 ? found[0] : throw Problem.NotFound(TStore.What, id);
    }

    /// <summary>By tenant, then name (unique per tenant, so the pair is the cursor's key: an index range).</summary>
    public static async Task<Paged<T>> ListAsync<TStore, T>(NpgsqlDataSource db, RequestContext ctx, Guid? tenantId, IPaged page, CancellationToken ct)
        where TStore : ITenantOwnedStore<T>
    {
        var where = $"WHERE {Scoped} AND (@tenantId::uuid IS NULL OR tenant_id = @tenantId)";
        var after = page.After<TenantOwnedCursor>();
        var keyset = after is null ? "" : "AND (tenant_id, name) > (@afterTenant, @afterName)";
        var args = new
        {
            scope = ctx.TenantScope, tenantId, afterTenant = after?.TenantId, afterName = after?.Name,
            limit = page.Limit(), offset = page.Offset(),
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await PageSnapshot.BeginAsync(conn, ct);
        var total = await conn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {TStore.Table} {where}", args, tx, cancellationToken: ct));
        var rows = await TStore.ReadAsync(conn, tx, $"{where} {keyset} ORDER BY tenant_id, name LIMIT @limit OFFSET @offset", args, ct);
        return page.ToPaged(rows, total, item =>
        {
            var (tenant, name) = TStore.Describe(item);
            return new TenantOwnedCursor(tenant, name);
        });
    }

    /// <summary>Reads the row for its delete (404 outside the caller's tenant): <c>FOR UPDATE</c>, so a key, member,
    /// rule or route being written to point at it is waited for, or waits and then finds it gone.</summary>
    public static Task<T> LockAsync<TStore, T>(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx, Guid id, CancellationToken ct)
        where TStore : ITenantOwnedStore<T> =>
        LockAsync<TStore, T>(conn, tx, ctx, id, "FOR UPDATE", ct);

    /// <summary>Reads the row for a change that keeps it (404 outside the caller's tenant): <c>FOR NO KEY UPDATE</c>, so
    /// changes of one row queue up, but rows that refer to it are still written meanwhile (their foreign keys take
    /// <c>FOR KEY SHARE</c>): an IVR whose key sends calls to another does not wait for that one's change, and two IVRs
    /// changed at once to send calls to each other do not deadlock.</summary>
    public static Task<T> LockToChangeAsync<TStore, T>(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx, Guid id, CancellationToken ct)
        where TStore : ITenantOwnedStore<T> =>
        LockAsync<TStore, T>(conn, tx, ctx, id, "FOR NO KEY UPDATE", ct);

    private static async Task<T> LockAsync<TStore, T>(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx, Guid id, string mode,
        CancellationToken ct)
        where TStore : ITenantOwnedStore<T>
    {
        var found = await TStore.ReadAsync(conn, tx, $"WHERE id = @id AND {Scoped} {mode}", new { id, scope = ctx.TenantScope }, ct);
        return found.Count == 1 ? found[0] : throw Problem.NotFound(TStore.What, id);
    }

    public static async Task DeleteAsync<TStore, T>(NpgsqlDataSource db, RequestContext ctx, Guid id, CancellationToken ct)
        where TStore : ITenantOwnedDestination<T>
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await LockAsync<TStore, T>(conn, tx, ctx, id, ct);
        var (tenantId, name) = TStore.Describe(before);
        await RouteReferences.EnsureUnreferencedAsync(conn, tx, TStore.Type, id, $"{TStore.What} '{name}'", ct);
        await conn.ExecuteAsync(new CommandDefinition($"DELETE FROM {TStore.Table} WHERE id = @id", new { id }, tx, cancellationToken: ct));
        await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Delete, TStore.Entity, id, tenantId, before, null, ct);
        await tx.CommitAsync(ct);
    }
}
