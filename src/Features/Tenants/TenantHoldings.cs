using Dapper;
using Npgsql;

namespace Did.Features.Tenants;

/// <summary>What still belongs to a tenant, named for the 409 that refuses to delete it (the first few of each, and counts).</summary>
internal sealed record TenantHoldings(long UserCount, string[] Users, long NumberCount, string[] Numbers)
{
    private const int Named = 10;

    public bool Any => UserCount > 0 || NumberCount > 0;

    public string Describe()
    {
        var parts = new List<string>();
        if (UserCount > 0) parts.Add($"{UserCount} user(s) ({string.Join(", ", Users)}{(UserCount > Users.Length ? ", ..." : "")})");
        if (NumberCount > 0) parts.Add($"{NumberCount} number(s) ({string.Join(", ", Numbers)}{(NumberCount > Numbers.Length ? ", ..." : "")})");
        return string.Join(" and ", parts);
    }

    public static async Task<TenantHoldings> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid tenantId, CancellationToken ct)
    {
        using var r = await conn.QueryMultipleAsync(new CommandDefinition($"""
            SELECT count(*) FROM users WHERE tenant_id = @tenantId;
            SELECT email FROM users WHERE tenant_id = @tenantId ORDER BY email LIMIT {Named};
            SELECT count(*) FROM phone_numbers WHERE tenant_id = @tenantId;
            SELECT number FROM phone_numbers WHERE tenant_id = @tenantId ORDER BY number LIMIT {Named};
            """, new { tenantId }, tx, cancellationToken: ct));
        var userCount = await r.ReadSingleAsync<long>();
        var users = (await r.ReadAsync<string>()).ToArray();
        var numberCount = await r.ReadSingleAsync<long>();
        var numbers = (await r.ReadAsync<string>()).ToArray();
        return new TenantHoldings(userCount, users, numberCount, numbers);
    }
}
