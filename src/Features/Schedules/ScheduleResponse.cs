namespace Did.Features.Schedules;

/// <summary>Open on <c>days</c> (MON..SUN) from <c>from</c> to <c>to</c>, local "HH:MM" wall-clock times in the schedule's
/// time zone. A <c>to</c> earlier than <c>from</c> runs past midnight into the next day (SAT 22:00 to 02:00 is open until
/// 02:00 on Sunday); "24:00" is the midnight that ends the day, and a <c>to</c> of "00:00" is read as "24:00".</summary>
public sealed record ScheduleOpenHours(IReadOnlyList<string> Days, string From, string To);

/// <summary>A closed day (<c>date</c>) or a closed period (<c>from</c> to <c>to</c>, both days included), "YYYY-MM-DD"
/// local dates of the schedule's time zone, of that year only: 2026-12-25 does not close 2027-12-25.</summary>
public sealed record ScheduleClosedDate(string Name, string? Date = null, string? From = null, string? To = null);

/// <summary>Opening hours and closed dates in one IANA time zone. A number's rules test it: OPEN (within opening hours
/// and not on a closed date), CLOSED (any other time) or HOLIDAY (on a closed date).</summary>
public sealed record ScheduleResponse(
    Guid Id, Guid TenantId, string Name, string Timezone,
    IReadOnlyList<ScheduleOpenHours> Open, IReadOnlyList<ScheduleClosedDate> ClosedDates,
    DateTime CreatedAt, DateTime UpdatedAt);
