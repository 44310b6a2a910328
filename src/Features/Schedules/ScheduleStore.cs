using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Routing;
using Npgsql;

namespace Did.Features.Schedules;

/// <summary>Reads schedules with their opening hours and closed dates in two round trips whatever the page size, and
/// replaces a schedule's intervals or closed dates. Rows keep the order the API was given (position).</summary>
internal sealed class ScheduleStore : ITenantOwnedStore<ScheduleResponse>
{
    /// <summary>The name a create or a rename collides on, named in its 409.</summary>
    public static Duplicate DuplicateName(string? name) => Duplicate.Name("ux_schedules_tenant_name", "A schedule", name);

    public static string Table => "schedules";
    public static string What => "Schedule";
    public static AuditEntity Entity => AuditEntity.Schedule;
    public static (Guid TenantId, string Name) Describe(ScheduleResponse schedule) => (schedule.TenantId, schedule.Name);

    private sealed record ScheduleRow(Guid Id, Guid TenantId, string Name, string Timezone, DateTime CreatedAt, DateTime UpdatedAt);

    private sealed record IntervalRow(Guid ScheduleId, int Days, int FromMinute, int ToMinute);

    private sealed record ClosedRow(Guid ScheduleId, string FromDate, string ToDate, string Name);

    public static async Task<List<ScheduleResponse>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string where, object args, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<ScheduleRow>(new CommandDefinition(
            $"SELECT id, tenant_id, name, timezone, created_at, updated_at FROM schedules {where}", args, tx, cancellationToken: ct))).AsList();
        if (rows.Count == 0) return [];
        using var children = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT schedule_id, days::int AS days, from_minute::int AS from_minute, to_minute::int AS to_minute
            FROM schedule_open_intervals WHERE schedule_id = ANY(@ids) ORDER BY schedule_id, position;
            SELECT schedule_id, to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date, name
            FROM schedule_closed_dates WHERE schedule_id = ANY(@ids) ORDER BY schedule_id, position;
            """, new { ids = rows.Select(r => r.Id).ToArray() }, tx, cancellationToken: ct));
        var open = (await children.ReadAsync<IntervalRow>()).ToLookup(i => i.ScheduleId,
            i => new ScheduleOpenHours(ScheduleTimes.Names(i.Days), ScheduleTimes.Clock(i.FromMinute), ScheduleTimes.Clock(i.ToMinute)));
        var closed = (await children.ReadAsync<ClosedRow>()).ToLookup(c => c.ScheduleId, c => ScheduleTimes.Closed(c.Name, c.FromDate, c.ToDate));
        return rows.Select(r => new ScheduleResponse(r.Id, r.TenantId, r.Name, r.Timezone, open[r.Id].ToList(), closed[r.Id].ToList(),
            r.CreatedAt, r.UpdatedAt)).ToList();
    }

    /// <summary>Replaces the opening hours when <paramref name="open"/> is given and the closed dates when
    /// <paramref name="closed"/> is; a list not given stays as it is.</summary>
    public static async Task ReplaceAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid scheduleId, Guid tenantId,
        IReadOnlyList<ScheduleOpenHours>? open, IReadOnlyList<ScheduleClosedDate>? closed, CancellationToken ct)
    {
        if (open is not null)
            await conn.ExecuteAsync(new CommandDefinition("""
                DELETE FROM schedule_open_intervals WHERE schedule_id = @scheduleId;
                INSERT INTO schedule_open_intervals (schedule_id, tenant_id, position, days, from_minute, to_minute)
                SELECT @scheduleId, @tenantId, p - 1, d, f, t FROM unnest(@days, @froms, @tos) WITH ORDINALITY AS x(d, f, t, p);
                """, new
                {
                    scheduleId, tenantId,
                    days = open.Select(o => ScheduleTimes.Days(o.Days)).ToArray(),
                    froms = open.Select(o => ScheduleTimes.Minute(o.From)).ToArray(),
                    tos = open.Select(o => ScheduleTimes.EndMinute(o.To)).ToArray(),
                }, tx, cancellationToken: ct));
        if (closed is not null)
            await conn.ExecuteAsync(new CommandDefinition("""
                DELETE FROM schedule_closed_dates WHERE schedule_id = @scheduleId;
                INSERT INTO schedule_closed_dates (schedule_id, tenant_id, position, from_date, to_date, name)
                SELECT @scheduleId, @tenantId, p - 1, f, t, normalize(n, NFC) FROM unnest(@froms::date[], @tos::date[], @names) WITH ORDINALITY AS x(f, t, n, p);
                """, new
                {
                    scheduleId, tenantId,
                    froms = closed.Select(c => ScheduleTimes.Period(c).From).ToArray(),
                    tos = closed.Select(c => ScheduleTimes.Period(c).To).ToArray(),
                    names = closed.Select(c => c.Name.Trim()).ToArray(),
                }, tx, cancellationToken: ct));
    }
}
