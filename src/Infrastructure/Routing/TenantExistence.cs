using Dapper;
using Did.Infrastructure.Errors;
using Npgsql;

namespace Did.Infrastructure.Routing;

/// <summary>A platform admin may name any tenant; a name that doesn't exist is a 400 on tenant_id, not a FK error.</summary>
public static class TenantExistence
{
    public static async Task EnsureExistsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid tenantId, CancellationToken ct)
    {
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @tenantId)", new { tenantId }, tx, cancellationToken: ct)))
            throw Problem.Invalid("tenant_id", $"Tenant '{tenantId}' does not exist.");
    }
}
