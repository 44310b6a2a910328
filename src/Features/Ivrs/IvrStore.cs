using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.Routing;
using Npgsql;

namespace Did.Features.Ivrs;

/// <summary>Reads IVRs with their keys in two queries whatever the page size, and replaces an IVR's keys.
/// Keys 't' and 'i' hold the timeout and invalid-key destinations; the digits are menu options.</summary>
internal sealed class IvrStore : ITenantOwnedDestination<IvrResponse>
{
    /// <summary>The name a create or a rename collides on, named in its 409.</summary>
    public static Duplicate DuplicateName(string? name) => Duplicate.Name("ux_ivrs_tenant_name", "An IVR", name);

    public static string Table => "ivrs";
    public static string What => "IVR";
    public static DestinationType Type => DestinationType.Ivr;
    public static AuditEntity Entity => AuditEntity.Ivr;
    public static (Guid TenantId, string Name) Describe(IvrResponse ivr) => (ivr.TenantId, ivr.Name);

    public const string Columns = "id, tenant_id, name, greeting, timeout_seconds, created_at, updated_at";
    private const string Timeout = "t";
    private const string Invalid = "i";

    private sealed record IvrRow(Guid Id, Guid TenantId, string Name, string Greeting, int TimeoutSeconds, DateTime CreatedAt, DateTime UpdatedAt);

    private sealed record KeyRow(Guid IvrId, string Key, string DestType, Guid? DestUserId, Guid? DestIvrId, Guid? DestQueueId)
    {
        public IvrDestination ToDestination() => new(ApiJson.Parse<DestinationType>(DestType), DestUserId ?? DestIvrId ?? DestQueueId);
    }

    public static async Task<List<IvrResponse>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string where, object args, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<IvrRow>(new CommandDefinition(
            $"SELECT {Columns} FROM ivrs {where}", args, tx, cancellationToken: ct))).AsList();
        if (rows.Count == 0) return [];
        var keys = (await conn.QueryAsync<KeyRow>(new CommandDefinition("""
            SELECT ivr_id, key, dest_type, dest_user_id, dest_ivr_id, dest_queue_id FROM ivr_destinations
            WHERE ivr_id = ANY(@ids) ORDER BY ivr_id, key
            """, new { ids = rows.Select(r => r.Id).ToArray() }, tx, cancellationToken: ct))).ToLookup(k => k.IvrId);
        var hangup = new IvrDestination(DestinationType.Hangup);
        return rows.Select(r =>
        {
            var mine = keys[r.Id].ToDictionary(k => k.Key, k => k.ToDestination());
            var options = mine.Where(kv => kv.Key is not (Timeout or Invalid))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);
            return new IvrResponse(r.Id, r.TenantId, r.Name, r.Greeting, r.TimeoutSeconds, options,
                mine.GetValueOrDefault(Timeout, hangup), mine.GetValueOrDefault(Invalid, hangup), r.CreatedAt, r.UpdatedAt);
        }).ToList();
    }

    public static IReadOnlyList<RouteTarget> Targets(IReadOnlyDictionary<string, IvrDestination> options, IvrDestination timeout, IvrDestination invalid) =>
        options.Select(kv => (Field: $"options.{kv.Key}", Dest: kv.Value))
            .Append((Field: "timeout_destination", Dest: timeout))
            .Append((Field: "invalid_destination", Dest: invalid))
            .Where(x => x.Dest.Id is not null && x.Dest.Type != DestinationType.Hangup)
            .Select(x => new RouteTarget(x.Field, x.Dest.Type, x.Dest.Id!.Value))
            .ToList();

    public static async Task ReplaceKeysAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid ivrId, Guid tenantId,
        IReadOnlyDictionary<string, IvrDestination> options, IvrDestination timeout, IvrDestination invalid, CancellationToken ct)
    {
        var all = options.Append(new(Timeout, timeout)).Append(new(Invalid, invalid)).ToList();
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM ivr_destinations WHERE ivr_id = @ivrId;
            INSERT INTO ivr_destinations (ivr_id, tenant_id, key, dest_type, dest_user_id, dest_ivr_id, dest_queue_id)
            SELECT @ivrId, @tenantId, k, t, u, i, q FROM unnest(@keys, @types, @users, @ivrs, @queues) AS x(k, t, u, i, q);
            """, new
            {
                ivrId, tenantId,
                keys = all.Select(kv => kv.Key).ToArray(),
                types = all.Select(kv => ApiJson.Name(kv.Value.Type)).ToArray(),
                users = all.Select(kv => kv.Value.Type == DestinationType.User ? kv.Value.Id : null).ToArray(),
                ivrs = all.Select(kv => kv.Value.Type == DestinationType.Ivr ? kv.Value.Id : null).ToArray(),
                queues = all.Select(kv => kv.Value.Type == DestinationType.Queue ? kv.Value.Id : null).ToArray(),
            }, tx, cancellationToken: ct));
    }
}
