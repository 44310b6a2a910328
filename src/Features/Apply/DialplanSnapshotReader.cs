using System.Data;
using System.Globalization;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Json;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Reads everything the dialplan is made of in one REPEATABLE READ, read-only transaction: the render sees
/// one consistent moment even while tenants keep editing. A fixed number of statements whatever the data: every table
/// is read whole once and joined in memory.</summary>
public static class DialplanSnapshotReader
{
    private sealed record UserRow(Guid Id, Guid TenantId, string Email, string Extension);
    private sealed record IvrRow(Guid Id, Guid TenantId, string Name, string Greeting, int TimeoutSeconds);
    private sealed record KeyRow(Guid IvrId, string Key, string DestType, Guid? DestId);
    private sealed record QueueRow(Guid Id, Guid TenantId, string Name, string Strategy, int MemberRingSeconds, int? MaxWaitSeconds);
    private sealed record ScheduleRow(Guid Id, Guid TenantId, string Name, string Timezone);
    private sealed record IntervalRow(Guid ScheduleId, int Days, int FromMinute, int ToMinute);
    private sealed record ClosedRow(Guid ScheduleId, string FromDate, string ToDate, string Name);
    private sealed record RuleRow(Guid PhoneNumberId, string? CallerIdPrefix, bool CallerWithheld, Guid? ScheduleId, string? ScheduleWhen,
        string DestType, Guid? DestId, string? DestValue);

    public static async Task<DialplanSnapshot> ReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await conn.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: tx, cancellationToken: ct));
        List<(Guid Id, string Slug)> tenants;
        ILookup<Guid, UserRow> users;
        List<IvrRow> ivrs;
        ILookup<Guid, KeyRow> keys;
        List<QueueRow> queues;
        ILookup<Guid, Guid> members;
        List<ScheduleRow> schedules;
        ILookup<Guid, OpenInterval> open;
        ILookup<Guid, ClosedDates> closed;
        ILookup<Guid, RouteRule> rules;
        // Closed before the numbers are read: one command at a time on a connection.
        using (var r = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT id, slug FROM tenants;
            SELECT id, tenant_id, email, extension FROM users WHERE extension IS NOT NULL AND tenant_id IS NOT NULL;
            SELECT id, tenant_id, name, greeting, timeout_seconds FROM ivrs;
            SELECT ivr_id, key, dest_type, coalesce(dest_user_id, dest_ivr_id, dest_queue_id) AS dest_id FROM ivr_destinations;
            SELECT id, tenant_id, name, strategy, member_ring_seconds, max_wait_seconds FROM queues;
            SELECT queue_id, user_id FROM queue_members ORDER BY queue_id, position;
            SELECT id, tenant_id, name, timezone FROM schedules;
            SELECT schedule_id, days::int AS days, from_minute::int AS from_minute, to_minute::int AS to_minute
            FROM schedule_open_intervals ORDER BY schedule_id, position;
            SELECT schedule_id, to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date, name
            FROM schedule_closed_dates ORDER BY schedule_id, position;
            SELECT phone_number_id, caller_id_prefix, caller_withheld, schedule_id, schedule_when, dest_type, dest_id, dest_value
            FROM did_route_rules ORDER BY phone_number_id, position;
            """, transaction: tx, cancellationToken: ct)))
        {
            tenants = (await r.ReadAsync<(Guid Id, string Slug)>()).ToList();
            users = (await r.ReadAsync<UserRow>()).ToLookup(u => u.TenantId);
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
        var numbers = await ReadNumbersAsync(conn, tx, rules, ct);
        var quarantined = (await conn.QueryAsync<(string Number, Guid? FromTenantId)>(new CommandDefinition(
                "SELECT number, quarantined_from_tenant_id FROM phone_numbers WHERE status = 'QUARANTINED' ORDER BY number", transaction: tx, cancellationToken: ct)))
            .Select(n => new QuarantinedNumber(n.Number, n.FromTenantId)).ToList();
        await tx.CommitAsync(ct);

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

        return new DialplanSnapshot(
            tenants.Select(t => new TenantSnapshot(t.Id, t.Slug,
                users[t.Id].Select(u => new UserSnapshot(u.Id, u.Email, u.Extension)).ToList(),
                ivrsByTenant[t.Id].ToList(), queuesByTenant[t.Id].ToList(), schedulesByTenant[t.Id].ToList())).ToList(),
            numbers, quarantined);
    }

    /// <summary>The numbers, the biggest set (one row per routed DID), straight from the reader into the snapshot's
    /// records: no intermediate row objects and no boxed Guids. Same transaction, so the same snapshot as the rest. A
    /// route with no rules, no failover and no ring time has no options: it renders as a plain route. The number is the
    /// route's own copy, which its foreign key on (phone_number_id, tenant_id, number) holds equal to the number's: no
    /// join with the inventory.</summary>
    private static async Task<List<RoutedNumber>> ReadNumbersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ILookup<Guid, RouteRule> rules,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a.number, a.tenant_id, a.assigned_type, a.assigned_id, a.assigned_value,
                   a.phone_number_id, a.ring_seconds, a.failover_type, a.failover_id, a.failover_value
            FROM did_assignments a
            """, conn, tx);
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
