using Dapper;
using Did.Infrastructure.Errors;
using Npgsql;

namespace Did.Infrastructure.Routing;

/// <summary>A platform admin may name any tenant; a name that doesn't exist is a 400 on tenant_id, not a FK error.</summary>
public static class TenantExistence
{
    /// <summary>The tenant row is locked <c>FOR KEY SHARE</c> (as the foreign key of what the caller then inserts would
    /// lock it), so a tenant delete under way is waited for and then found gone (400), and a delete that comes later waits
    /// for this transaction and then finds what it added (409 naming it): never a foreign-key error between the two.</summary>
    private const string LockSql = "SELECT name FROM tenants WHERE id = @tenantId FOR KEY SHARE";

    public static async Task EnsureExistsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid tenantId, CancellationToken ct) =>
        await NameAsync(conn, tx, tenantId, ct);

    /// <summary>The tenant's name, read under the lock of <see cref="LockSql"/>.</summary>
    public static async Task<string> NameAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid tenantId, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<string?>(new CommandDefinition(LockSql, new { tenantId }, tx, cancellationToken: ct))
        ?? throw Problem.Invalid("tenant_id", $"Tenant '{tenantId}' does not exist.");
}
