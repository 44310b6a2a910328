using System.Globalization;

namespace Did.Dialplan;

/// <summary>GotoIfTime's condition <c>times,weekdays,mdays,months[,timezone]</c> as Asterisk's main/pbx_timing.c builds and
/// checks it: fields split at ',' or '|', the time zone being what follows the last ',' when there are five fields; each
/// field a '*' or '&amp;'-joined parts, a part a value or a range "a-b" (ranges of days, dates and months wrap around); a
/// time range includes its end minute. The check converts the moment to local time in the zone and tests the month, the
/// day of the month, the weekday and the minute of that local time.</summary>
internal sealed class TimeCondition
{
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private readonly bool[] _minutes = new bool[1440];
    private int _weekdays = 0x7F, _monthDays = 0x7FFFFFFF, _months = 0xFFF;

    public string? TimeZone { get; private set; }

    public static TimeCondition Parse(string spec)
    {
        var condition = new TimeCondition();
        var fields = spec.Split(',').Length;
        if (fields == 5) condition.TimeZone = spec[(spec.LastIndexOf(',') + 1)..];
        var parts = spec.Split(',', '|');
        condition.Times(parts[0]);
        if (parts.Length > 1) condition._weekdays = Range(parts[1], 7, Days);
        if (parts.Length > 2) condition._monthDays = Range(parts[2], 31, null);
        if (parts.Length > 3) condition._months = Range(parts[3], 12, Months);
        return condition;
    }

    /// <summary>Whether <paramref name="at"/> falls in the condition, in its time zone (none given: UTC, this walk's
    /// stand-in for the switch's own zone). Returns the local time it tested.</summary>
    public bool Holds(DateTimeOffset at, out DateTimeOffset local)
    {
        local = TimeZone is null ? at.ToUniversalTime() : TimeZoneInfo.ConvertTime(at, TimeZones.Find(TimeZone));
        return (_months & (1 << (local.Month - 1))) != 0
               && (_monthDays & (1 << (local.Day - 1))) != 0
               && (_weekdays & (1 << (int)local.DayOfWeek)) != 0
               && _minutes[local.Hour * 60 + local.Minute];
    }

    private void Times(string field)
    {
        if (field.Length == 0 || field == "*")
        {
            Array.Fill(_minutes, true);
            return;
        }
        foreach (var part in field.Split('&'))
        {
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                if (Clock(part) is { } single) _minutes[single] = true;
                continue;
            }
            // pbx_timing.c skips anything but digits after the '-' (spaces, mostly).
            var endText = part.AsSpan(dash + 1);
            while (!endText.IsEmpty && !char.IsAsciiDigit(endText[0])) endText = endText[1..];
            if (Clock(part[..dash]) is not { } start || Clock(endText.ToString()) is not { } end) continue;
            for (var m = start; m != end; m = (m + 1) % 1440) _minutes[m] = true;
            _minutes[end] = true;
        }
    }

    private static int? Clock(string s)
    {
        var colon = s.IndexOf(':');
        if (colon < 0 || !int.TryParse(s[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                      || !int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                      || h > 23 || m > 59)
            return null;
        return h * 60 + m;
    }

    private static int Range(string field, int max, string[]? names)
    {
        if (field.Length == 0 || field == "*") return (1 << max) - 1;
        var mask = 0;
        foreach (var part in field.Split('&'))
        {
            var dash = part.IndexOf('-');
            var start = Lookup(dash < 0 ? part : part[..dash], max, names);
            var end = dash < 0 ? start : Lookup(part[(dash + 1)..], max, names);
            if (start < 0 || end < 0) continue;
            mask |= 1 << end;
            for (var i = start; i != end; i = (i + 1) % max) mask |= 1 << i;
        }
        return mask;
    }

    // A name (case-insensitive) or a number 1..max; the index from 0.
    private static int Lookup(string s, int max, string[]? names)
    {
        if (names is not null && s.Length > 0 && s[0] > '9')
        {
            for (var i = 0; i < names.Length; i++)
                if (s.Equals(names[i], StringComparison.OrdinalIgnoreCase)) return i;
        }
        return int.TryParse(s.Length > 2 ? s[..2] : s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n - 1 : -1;
    }
}
