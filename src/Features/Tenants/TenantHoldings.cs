using Dapper;
using Npgsql;

namespace Did.Features.Tenants;

/// <summary>What still belongs to a tenant, named for the 409 that refuses to delete it (the first few of each, and counts):
/// users, numbers, and the IVRs, queues and schedules whose foreign keys would refuse the delete anyway.</summary>
internal sealed record TenantHoldings(
    long UserCount, string[] Users, long NumberCount, string[] Numbers,
    long IvrCount, string[] Ivrs, long QueueCount, string[] Queues, long ScheduleCount, string[] Schedules)
{
    private const int Named = 10;

    public bool Any => UserCount > 0 || NumberCount > 0 || IvrCount > 0 || QueueCount > 0 || ScheduleCount > 0;

    public string Describe()
    {
        var parts = new List<string>();
        void Add(long count, string[] names, string what)
        {
            if (count > 0) parts.Add($"{count} {what}(s) ({string.Join(", ", names)}{(count > names.Length ? ", ..." : "")})");
        }
        Add(UserCount, Users, "user");
        Add(NumberCount, Numbers, "number");
        Add(IvrCount, Ivrs, "IVR");
        Add(QueueCount, Queues, "queue");
        Add(ScheduleCount, Schedules, "schedule");
        return parts.Count <= 1 ? string.Join("", parts) : string.Join(", ", parts[..^1]) + " and " + parts[^1];
    }

    public static async Task<TenantHoldings> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid tenantId, CancellationToken ct)
    {
        using var r = await conn.QueryMultipleAsync(new CommandDefinition($"""
            SELECT count(*) FROM users WHERE tenant_id = @tenantId;
            SELECT email FROM users WHERE tenant_id = @tenantId ORDER BY email LIMIT {Named};
            SELECT count(*) FROM phone_numbers WHERE tenant_id = @tenantId;
            SELECT number FROM phone_numbers WHERE tenant_id = @tenantId ORDER BY number LIMIT {Named};
            SELECT count(*) FROM ivrs WHERE tenant_id = @tenantId;
            SELECT name FROM ivrs WHERE tenant_id = @tenantId ORDER BY name LIMIT {Named};
            SELECT count(*) FROM queues WHERE tenant_id = @tenantId;
            SELECT name FROM queues WHERE tenant_id = @tenantId ORDER BY name LIMIT {Named};
            SELECT count(*) FROM schedules WHERE tenant_id = @tenantId;
            SELECT name FROM schedules WHERE tenant_id = @tenantId ORDER BY name LIMIT {Named};
            """, new { tenantId }, tx, cancellationToken: ct));
        var userCount = await r.ReadSingleAsync<long>();
        var users = (await r.ReadAsync<string>()).ToArray();
        var numberCount = await r.ReadSingleAsync<long>();
        var numbers = (await r.ReadAsync<string>()).ToArray();
        var ivrCount = await r.ReadSingleAsync<long>();
        var ivrs = (await r.ReadAsync<string>()).ToArray();
        var queueCount = await r.ReadSingleAsync<long>();
        var queues = (await r.ReadAsync<string>()).ToArray();
        var scheduleCount = await r.ReadSingleAsync<long>();
        var schedules = (await r.ReadAsync<string>()).ToArray();
        return new TenantHoldings(userCount, users, numberCount, numbers, ivrCount, ivrs, queueCount, queues, scheduleCount, schedules);
    }
}
