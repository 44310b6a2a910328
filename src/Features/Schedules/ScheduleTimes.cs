using System.Globalization;
using Did.Dialplan;

namespace Did.Features.Schedules;

/// <summary>How the API's text is stored: days as a bit set (MON = 1 .. SUN = 64, <see cref="WeekDays"/>), times as
/// minutes after local midnight (a <c>to</c> of 24:00, or 00:00, is 1440), dates as dates.</summary>
internal static class ScheduleTimes
{
    public static readonly string[] DayNames = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

    public static int Days(IEnumerable<string> names) => names.Aggregate(0, (set, name) => set | 1 << Array.IndexOf(DayNames, name));

    /// <summary>The days of a set, Monday first.</summary>
    public static IReadOnlyList<string> Names(int days) => DayNames.Where((_, i) => (days & 1 << i) != 0).ToList();

    /// <summary>Minutes after midnight of "HH:MM" (00:00 .. 24:00), or null when it is not such a time.</summary>
    public static int? TryMinute(string? clock)
    {
        if (clock is not { Length: 5 } || clock[2] != ':'
            || !int.TryParse(clock.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(clock.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes > 59)
            return null;
        var minute = hours * 60 + minutes;
        return minute <= 1440 ? minute : null;
    }

    /// <summary>Minutes after midnight of a valid "HH:MM" (00:00 .. 24:00).</summary>
    public static int Minute(string clock) => TryMinute(clock) ?? throw new FormatException($"'{clock}' is not a time HH:MM.");

    /// <summary>The end of an interval: 00:00 is the midnight that ends the day, as 24:00 is.</summary>
    public static int EndMinute(string clock) => Minute(clock) is var minute && minute == 0 ? 1440 : minute;

    public static string Clock(int minute) =>
        (minute / 60).ToString("D2", CultureInfo.InvariantCulture) + ":" + (minute % 60).ToString("D2", CultureInfo.InvariantCulture);

    public static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A closed date as stored: one day is a period from that day to itself.</summary>
    public static (string From, string To) Period(ScheduleClosedDate c) => c.Date is { } day ? (day, day) : (c.From!, c.To!);

    /// <summary>A stored period as the API shows it: one day as <c>date</c>, longer as <c>from</c> and <c>to</c>.</summary>
    public static ScheduleClosedDate Closed(string name, string from, string to) =>
        from == to ? new ScheduleClosedDate(name, Date: from) : new ScheduleClosedDate(name, From: from, To: to);
}
