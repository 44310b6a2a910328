using System.Data;
using System.Globalization;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Json;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Reads everything the dialplan is made of in one REPEATABLE READ, read-only transaction: the render sees
/// one consistent moment even while tenants keep editing. A fixed number of statements whatever the data: every table
/// is read once, whole or for the tenants asked for, and joined in memory. Of the users, only those something can reach
/// are read (<see cref="ReadUsersAsync"/>): the renderer gives no line to any other, and a platform has far more users
/// than references. Given a <see cref="SnapshotMemory"/>, it first reads each tenant's row versions and reads again only
/// the tenants whose rows changed since the remembered read; every other tenant keeps its remembered records.</summary>
public static class DialplanSnapshotReader
{
    private sealed record UserRow(Guid Id, Guid TenantId, string Extension);
    private sealed record IvrRow(Guid Id, Guid TenantId, string Name, string Greeting, int TimeoutSeconds);
    private sealed record KeyRow(Guid IvrId, string Key, string DestType, Guid? DestId);
    private sealed record QueueRow(Guid Id, Guid TenantId, string Name, string Strategy, int MemberRingSeconds, int? MaxWaitSeconds);
    private sealed record ScheduleRow(Guid Id, Guid TenantId, string Name, string Timezone);
    private sealed record IntervalRow(Guid ScheduleId, int Days, int FromMinute, int ToMinute);
    private sealed record ClosedRow(Guid ScheduleId, string FromDate, string ToDate, string Name);
    private sealed record RuleRow(Guid PhoneNumberId, string? CallerIdPrefix, bool CallerWithheld, Guid? ScheduleId, string? ScheduleWhen,
        string DestType, Guid? DestId, string? DestValue);
    private sealed record VersionRow(Guid TenantId, long Rows, decimal WriterHashSum);

    public static Task<DialplanSnapshot> ReadAsync(NpgsqlDataSource db, CancellationToken ct) => ReadAsync(db, null, ct);

    public static async Task<DialplanSnapshot> ReadAsync(NpgsqlDataSource db, SnapshotMemory? memory, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await conn.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: tx, cancellationToken: ct));
        var last = memory?.Last;
        Dictionary<Guid, TenantRowVersions>? versions = null;
        Guid[]? only = null; // null: every tenant
        if (memory is not null)
        {
            versions = await ReadVersionsAsync(conn, tx, ct);
            if (last is not null)
            {
                var changed = versions.Where(v => !(last.TryGetValue(v.Key, out var kept) && kept.Versions == v.Value)).Select(v => v.Key).ToArray();
                if (changed.Length * 2 <= versions.Count) only = changed; // beyond half, reading everything costs no more
            }
        }
        var read = await ReadTenantsAsync(conn, tx, only, ct);
        var quarantined = (await conn.QueryAsync<(string Number, Guid? FromTenantId)>(new CommandDefinition(
                "SELECT number, quarantined_from_tenant_id FROM phone_numbers WHERE status = 'QUARANTINED' ORDER BY number", transaction: tx, cancellationToken: ct)))
            .Select(n => new QuarantinedNumber(n.Number, n.FromTenantId)).ToList();
        await tx.CommitAsync(ct);

        if (versions is null) return Snapshot(read.Values, quarantined);
        var tenants = new Dictionary<Guid, SnapshotMemory.Tenant>(versions.Count);
        foreach (var (id, version) in versions)
        {
            if (read.TryGetValue(id, out var fresh)) tenants[id] = fresh with { Versions = version };
            else if (only is not null && last!.TryGetValue(id, out var kept)) tenants[id] = kept;
            // else: rows of a tenant that has no row itself, which the foreign keys rule out; the renderer would skip them
        }
        memory!.Remember(tenants);
        return Snapshot(tenants.Values, quarantined);
    }

    /// <summary>Runs every statement of a read of tenants for no tenant, in the same kind of transaction, and returns how
    /// many tenants it read (none). The start-up warm-up calls it: the first apply then finds this reading code and
    /// Dapper's readers of these rows compiled, and the database has only answered empty queries.</summary>
    public static async Task<int> ReadNoTenantAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await conn.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: tx, cancellationToken: ct));
        var read = await ReadTenantsAsync(conn, tx, [], ct);
        await tx.CommitAsync(ct);
        return read.Count;
    }

    /// <summary>Tenants in slug order, and each tenant's numbers together in that order: a tenant kept from the last read
    /// keeps its place and its records.</summary>
    private static DialplanSnapshot Snapshot(IEnumerable<SnapshotMemory.Tenant> tenants, List<QuarantinedNumber> quarantined)
    {
        var ordered = tenants.OrderBy(t => t.Snapshot.Slug, StringComparer.Ordinal).ToList();
        var numbers = new List<RoutedNumber>(ordered.Sum(t => t.Numbers.Count));
        foreach (var t in ordered) numbers.AddRange(t.Numbers);
        return new DialplanSnapshot([.. ordered.Select(t => t.Snapshot)], numbers, quarantined);
    }

    /// <summary>Each tenant's <see cref="TenantRowVersions"/> over every table the snapshot reads (the quarantined
    /// numbers are read whole every time). Users are stood for by their tenant's <c>tenant_user_writes</c> row, which
    /// every write of a user's tenant or extension writes again (M0038): reading every user's version would cost more
    /// than all the rest at a platform's number of users.</summary>
    private static async Task<Dictionary<Guid, TenantRowVersions>> ReadVersionsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<VersionRow>(new CommandDefinition("""
            SELECT tenant_id, count(*) AS rows, sum(hashint8extended(xmin::text::bigint, 0)) AS writer_hash_sum
            FROM (SELECT id AS tenant_id, xmin FROM tenants
                  UNION ALL SELECT tenant_id, xmin FROM tenant_user_writes
                  UNION ALL SELECT tenant_id, xmin FROM ivrs
                  UNION ALL SELECT tenant_id, xmin FROM ivr_destinations
                  UNION ALL SELECT tenant_id, xmin FROM queues
                  UNION ALL SELECT tenant_id, xmin FROM queue_members
                  UNION ALL SELECT tenant_id, xmin FROM schedules
                  UNION ALL SELECT tenant_id, xmin FROM schedule_open_intervals
                  UNION ALL SELECT tenant_id, xmin FROM schedule_closed_dates
                  UNION ALL SELECT tenant_id, xmin FROM did_route_rules
                  UNION ALL SELECT tenant_id, xmin FROM did_assignments) written
            GROUP BY tenant_id
            """, transaction: tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.TenantId, r => new TenantRowVersions(r.Rows, r.WriterHashSum));
    }

    /// <summary>The tenants in <paramref name="only"/> (null: all), each with its records and numbers.</summary>
    private static async Task<Dictionary<Guid, SnapshotMemory.Tenant>> ReadTenantsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[]? only,
        CancellationToken ct)
    {
        List<(Guid Id, string Slug)> tenants;
        List<IvrRow> ivrs;
        ILookup<Guid, KeyRow> keys;
        List<QueueRow> queues;
        ILookup<Guid, Guid> members;
        List<ScheduleRow> schedules;
        ILookup<Guid, OpenInterval> open;
        ILookup<Guid, ClosedDates> closed;
        ILookup<Guid, RouteRule> rules;
        var filter = new { all = only is null, only = only ?? [] };
        // Closed before the numbers are read: one command at a time on a connection.
        using (var r = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT id, slug FROM tenants WHERE @all OR id = ANY(@only);
            SELECT id, tenant_id, name, greeting, timeout_seconds FROM ivrs WHERE @all OR tenant_id = ANY(@only);
            SELECT ivr_id, key, dest_type, coalesce(dest_user_id, dest_ivr_id, dest_queue_id) AS dest_id FROM ivr_destinations
            WHERE @all OR tenant_id = ANY(@only);
            SELECT id, tenant_id, name, strategy, member_ring_seconds, max_wait_seconds FROM queues WHERE @all OR tenant_id = ANY(@only);
            SELECT queue_id, user_id FROM queue_members WHERE @all OR tenant_id = ANY(@only) ORDER BY queue_id, position;
            SELECT id, tenant_id, name, timezone FROM schedules WHERE @all OR tenant_id = ANY(@only);
            SELECT schedule_id, days::int AS days, from_minute::int AS from_minute, to_minute::int AS to_minute
            FROM schedule_open_intervals WHERE @all OR tenant_id = ANY(@only) ORDER BY schedule_id, position;
            SELECT schedule_id, to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date, name
            FROM schedule_closed_dates WHERE @all OR tenant_id = ANY(@only) ORDER BY schedule_id, position;
            SELECT phone_number_id, caller_id_prefix, caller_withheld, schedule_id, schedule_when, dest_type, dest_id, dest_value
            FROM did_route_rules WHERE @all OR tenant_id = ANY(@only) ORDER BY phone_number_id, position;
            """, filter, transaction: tx, cancellationToken: ct)))
        {
            tenants = (await r.ReadAsync<(Guid Id, string Slug)>()).ToList();
            ivrs = (await r.ReadAsync<IvrRow>()).ToList();
            keys = (await r.ReadAsync<KeyRow>()).ToLookup(k => k.IvrId);
            queues = (await r.ReadAsync<QueueRow>()).ToList();
            members = (await r.ReadAsync<(Guid QueueId, Guid UserId)>()).ToLookup(m => m.QueueId, m => m.UserId);
            schedules = (await r.ReadAsync<ScheduleRow>()).ToList();
            open = (await r.ReadAsync<IntervalRow>()).ToLookup(i => i.ScheduleId, i => new OpenInterval((WeekDays)i.Days, i.FromMinute, i.ToMinute));
            closed = (await r.ReadAsync<ClosedRow>()).ToLookup(c => c.ScheduleId, c => new ClosedDates(Date(c.FromDate), Date(c.ToDate), c.Name));
            rules = (await r.ReadAsync<RuleRow>()).ToLookup(x => x.PhoneNumberId, x => new RouteRule(x.CallerIdPrefix, x.CallerWithheld, x.ScheduleId,
                x.ScheduleWhen is null ? null : ApiJson.Parse<ScheduleCondition>(x.ScheduleWhen), Destination(x.DestType, x.DestId, x.DestValue)));
        }
        var routed = await ReadNumbersAsync(conn, tx, only, rules, ct);
        var users = (await ReadUsersAsync(conn, tx, tenants, routed, keys, members, ct)).ToLookup(u => u.TenantId);
        var numbers = routed.ToLookup(n => n.TenantId);

        var hangup = new Destination(DestinationType.Hangup, null);
        var ivrsByTenant = ivrs.ToLookup(i => i.TenantId, i =>
        {
            var all = keys[i.Id].ToDictionary(k => k.Key, k => new Destination(ApiJson.Parse<DestinationType>(k.DestType), k.DestId));
            var options = all.Where(kv => kv.Key is not ("t" or "i")).ToDictionary(kv => kv.Key, kv => kv.Value);
            return new IvrSnapshot(i.Id, i.Name, i.Greeting, i.TimeoutSeconds, options,
                all.GetValueOrDefault("t", hangup), all.GetValueOrDefault("i", hangup));
        });
        var queuesByTenant = queues.ToLookup(q => q.TenantId, q =>
            new QueueSnapshot(q.Id, q.Name, ApiJson.Parse<QueueStrategy>(q.Strategy), q.MemberRingSeconds, members[q.Id].ToList(), q.MaxWaitSeconds));
        var schedulesByTenant = schedules.ToLookup(s => s.TenantId, s =>
            new ScheduleSnapshot(s.Id, s.Name, s.Timezone, open[s.Id].ToList(), closed[s.Id].ToList()));

        return tenants.ToDictionary(t => t.Id, t => new SnapshotMemory.Tenant(default,
            new TenantSnapshot(t.Id, t.Slug, users[t.Id].Select(u => new UserSnapshot(u.Id, u.Extension)).ToList(),
                ivrsByTenant[t.Id].ToList(), queuesByTenant[t.Id].ToList(), schedulesByTenant[t.Id].ToList()),
            numbers[t.Id].ToList()));
    }

    /// <summary>The users of the tenants read that something can reach, read by one statement after the rows that reach
    /// them, in the same transaction: every user an id refers to (a number's destination, its failover, a rule's
    /// destination, an IVR's option, timeout or invalid destination, a queue's member), and every user whose extension an
    /// EXTERNAL action (a number's, a rule's or a failover's) names in a Goto into its tenant's users context, which the
    /// renderer then reaches too (<see cref="ExternalAction.UserExtension"/>: the renderer's own reading of the action).
    /// Every other user gets no dialplan line. The renderer's checks that look at every user of a tenant (an extension's
    /// shape, an extension given twice) are held for all of them by the database: ck_users_extension and
    /// ux_users_tenant_extension. A reference is to a user of its own tenant (composite foreign keys), so every user
    /// found is of a tenant read. A write to any user still reads its tenant again (<see cref="ReadVersionsAsync"/> counts
    /// every user row): a new user may have the extension an EXTERNAL Goto names.</summary>
    private static async Task<List<UserRow>> ReadUsersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<(Guid Id, string Slug)> tenants,
        List<RoutedNumber> numbers, ILookup<Guid, KeyRow> keys, ILookup<Guid, Guid> members, CancellationToken ct)
    {
        var ids = new HashSet<Guid>();
        foreach (var ivr in keys)
            foreach (var k in ivr) if (k.DestType == "USER" && k.DestId is { } id) ids.Add(id);
        foreach (var queue in members) ids.UnionWith(queue);
        var slugs = tenants.ToDictionary(t => t.Id, t => t.Slug);
        var named = new HashSet<(Guid Tenant, string Extension)>();
        void Reach(Guid tenant, AssignmentType type, Guid? id, string? external)
        {
            if (type == AssignmentType.User && id is { } user) ids.Add(user);
            else if (type == AssignmentType.External && slugs.TryGetValue(tenant, out var slug) && ExternalAction.UserExtension(external, slug) is { } ext)
                named.Add((tenant, ext));
        }
        foreach (var n in numbers)
        {
            Reach(n.TenantId, n.Type, n.TargetId, n.ExternalAction);
            if (n.Options is not { } o) continue;
            if (o.Failover is { } f) Reach(n.TenantId, f.Type, f.Id, f.ExternalAction);
            foreach (var rule in o.Rules) Reach(n.TenantId, rule.Destination.Type, rule.Destination.Id, rule.Destination.ExternalAction);
        }
        // The ids by = ANY, which PostgreSQL answers with one hash of the array whatever its size (an index scan for a
        // few); the pairs, fewer, joined with the unique index on (tenant_id, extension). A user both named and referred
        // to comes twice, and is kept once.
        var rows = await conn.QueryAsync<UserRow>(new CommandDefinition("""
            SELECT id, tenant_id, extension FROM users WHERE id = ANY(@ids) AND extension IS NOT NULL
            UNION ALL
            SELECT u.id, u.tenant_id, u.extension
            FROM unnest(@tenants, @extensions) AS g(tenant_id, extension) JOIN users u ON u.tenant_id = g.tenant_id AND u.extension = g.extension
            """, new
            {
                ids = ids.ToArray(),
                tenants = named.Select(x => x.Tenant).ToArray(),
                extensions = named.Select(x => x.Extension).ToArray(),
            }, transaction: tx, cancellationToken: ct));
        var seen = new HashSet<Guid>();
        return [.. rows.Where(u => seen.Add(u.Id))];
    }

    /// <summary>The numbers, the biggest set (one row per routed DID), straight from the reader into the snapshot's
    /// records: no intermediate row objects and no boxed Guids. Same transaction, so the same snapshot as the rest. A
    /// route with no rules, no failover and no ring time has no options: it renders as a plain route. The number is the
    /// route's own copy, which its foreign key on (phone_number_id, tenant_id, number) holds equal to the number's: no
    /// join with the inventory.</summary>
    private static async Task<List<RoutedNumber>> ReadNumbersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[]? only,
        ILookup<Guid, RouteRule> rules, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a.number, a.tenant_id, a.assigned_type, a.assigned_id, a.assigned_value,
                   a.phone_number_id, a.ring_seconds, a.failover_type, a.failover_id, a.failover_value
            FROM did_assignments a
            WHERE @all OR a.tenant_id = ANY(@only)
            """, conn, tx);
        cmd.Parameters.AddWithValue("all", only is null);
        cmd.Parameters.AddWithValue("only", only ?? []);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var numbers = new List<RoutedNumber>();
        while (await reader.ReadAsync(ct))
        {
            var ringSeconds = reader.IsDBNull(6) ? (int?)null : reader.GetInt32(6);
            var failover = reader.IsDBNull(7) ? null
                : Destination(reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetGuid(8), reader.IsDBNull(9) ? null : reader.GetString(9));
            var numberId = reader.GetGuid(5);
            IReadOnlyList<RouteRule> own = rules.Contains(numberId) ? rules[numberId].ToList() : [];
            var options = ringSeconds is null && failover is null && own.Count == 0 ? null : new Dialplan.RouteOptions(ringSeconds, failover, own);
            numbers.Add(new RoutedNumber(reader.GetString(0), reader.GetGuid(1), ApiJson.Parse<AssignmentType>(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetString(4), options));
        }
        return numbers;
    }

    private static RouteDestination Destination(string type, Guid? id, string? value) => new(ApiJson.Parse<AssignmentType>(type), id, value);

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
