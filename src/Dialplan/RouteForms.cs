using System.Globalization;

namespace Did.Dialplan;

/// <summary>The dialplan text a route with rules is made of, in one place so the renderer writes it, the linter accepts it
/// and nothing else, and the walker reads it. Caller ID is read once, through FILTER, into <see cref="CallerVariable"/>;
/// conditions compare only that variable, inside quotes, so no caller-controlled character reaches an expression's
/// syntax or an application's arguments. A schedule is a Gosub subroutine whose Return value is OPEN, CLOSED or HOLIDAY.
/// Labels name what a priority is for: <c>rule-N</c> on the GotoIf of the route's rule N (0-based, as in the API),
/// <c>failover</c> on the failover block, and one label per destination block (<c>user-1001</c>, <c>ivr-main</c>,
/// <c>queue-support</c>, <c>external-1</c>).</summary>
public static class RouteForms
{
    public const string CallerVariable = "DID_CALLER";

    /// <summary>The data of the one Set that reads caller ID: digits and '+' only survive.</summary>
    public const string SetCaller = "DID_CALLER=${FILTER(0-9+,${CALLERID(num)})}";

    /// <summary>Withheld: no digit in the filtered caller ID (empty, "anonymous", "+", letters...).</summary>
    public const string CallerWithheld = "\"${FILTER(0-9,${DID_CALLER})}\" = \"\"";

    public const string ScheduleOpen = "\"${GOSUB_RETVAL}\" = \"OPEN\"";
    public const string ScheduleClosed = "\"${GOSUB_RETVAL}\" != \"OPEN\"";
    public const string ScheduleHoliday = "\"${GOSUB_RETVAL}\" = \"HOLIDAY\"";

    public const string RuleLabelPrefix = "rule-";
    public const string FailoverLabel = "failover";
    /// <summary>The label of a quarantined number's intercept: the walker reports the call as QUARANTINE.</summary>
    public const string QuarantineLabel = "quarantine";
    public const string OpenLabel = "open";
    public const string HolidayLabel = "holiday";
    /// <summary>The label of a schedule's first piece of opening hours that begins on its own day: the day after a closed
    /// date jumps there, past the hours that the night before would have left open.</summary>
    public const string SameDayLabel = "sameday";

    public const string Open = "OPEN";
    public const string Closed = "CLOSED";
    public const string Holiday = "HOLIDAY";

    /// <summary>The data of the Set a schedule starts with when it has closed dates: today's local date as yyyyMMdd.</summary>
    public static string SetToday(string timeZone) => "DID_TODAY=${STRFTIME(${EPOCH}," + timeZone + ",%Y%m%d)}";

    /// <summary>The caller ID starts with <paramref name="prefix"/> (e.g. "+44"): compared as text, first characters only.</summary>
    public static string CallerPrefix(string prefix) =>
        "\"${DID_CALLER:0:" + prefix.Length.ToString(CultureInfo.InvariantCulture) + "}\" = \"" + prefix + "\"";

    /// <summary>Today (local, yyyyMMdd as a number) lies in [from, to], both included.</summary>
    public static string ClosedDates(DateOnly from, DateOnly to) =>
        "${DID_TODAY} >= " + Day(from) + " & ${DID_TODAY} <= " + Day(to);

    public static string Day(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The data of a GotoIf on <paramref name="condition"/> to a label of the same extension.</summary>
    public static string GotoIf(string condition, string label) => "$[" + condition + "]?" + label;

    public static string RuleLabel(int index) => RuleLabelPrefix + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The index N of a <c>rule-N</c> label, or null.</summary>
    public static int? RuleIndex(string? label) =>
        label is not null && label.StartsWith(RuleLabelPrefix, StringComparison.Ordinal)
        && int.TryParse(label.AsSpan(RuleLabelPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    // ---- What the linter accepts: these forms exactly, nothing else with a '$' ----

    /// <summary>The data of a Set the renderer writes: <see cref="SetCaller"/> or <see cref="SetToday"/> with a valid zone.</summary>
    public static bool IsSetData(ReadOnlySpan<char> data)
    {
        if (data.SequenceEqual(SetCaller)) return true;
        const string head = "DID_TODAY=${STRFTIME(${EPOCH},", tail = ",%Y%m%d)}";
        return data.StartsWith(head, StringComparison.Ordinal) && data.EndsWith(tail, StringComparison.Ordinal)
               && data.Length > head.Length + tail.Length && Grammar.IsTimeZone(data[head.Length..^tail.Length]);
    }

    /// <summary>Whether a GotoIf's data is <c>$[condition]?destination</c> with a condition the renderer writes: a closed-dates
    /// range, or one or two of caller prefix, caller withheld and schedule result joined by " &amp; ". The destination (no
    /// '$', no ':' branch) is returned for the dangling-Goto check; <paramref name="readsCaller"/> says whether the condition
    /// reads <see cref="CallerVariable"/>.</summary>
    public static bool IsGotoIfData(ReadOnlySpan<char> data, out ReadOnlySpan<char> destination, out bool readsCaller)
    {
        destination = default;
        readsCaller = false;
        if (!data.StartsWith("$[", StringComparison.Ordinal)) return false;
        var close = data.IndexOf("]?", StringComparison.Ordinal);
        if (close < 0) return false;
        var condition = data[2..close];
        destination = data[(close + 2)..];
        if (destination.IsEmpty || destination.ContainsAny('$', ':', '[')) return false;
        if (IsClosedDates(condition)) return true;
        var and = condition.IndexOf(" & ", StringComparison.Ordinal);
        if (and < 0) return IsCondition(condition, ref readsCaller);
        return IsCondition(condition[..and], ref readsCaller) && IsCondition(condition[(and + 3)..], ref readsCaller);
    }

    private static bool IsCondition(ReadOnlySpan<char> c, ref bool readsCaller)
    {
        if (c.SequenceEqual(ScheduleOpen) || c.SequenceEqual(ScheduleClosed) || c.SequenceEqual(ScheduleHoliday)) return true;
        if (c.SequenceEqual(CallerWithheld)) { readsCaller = true; return true; }
        // "${DID_CALLER:0:<n>}" = "<+digits of length n>"
        const string head = "\"${DID_CALLER:0:";
        if (!c.StartsWith(head, StringComparison.Ordinal)) return false;
        var rest = c[head.Length..];
        var brace = rest.IndexOf("}\" = \"", StringComparison.Ordinal);
        if (brace is < 1 or > 2 || !Grammar.AllDigits(rest[..brace])) return false;
        var length = int.Parse(rest[..brace], NumberStyles.None, CultureInfo.InvariantCulture);
        var prefix = rest[(brace + 6)..];
        if (prefix.Length < 2 || prefix[^1] != '"') return false;
        prefix = prefix[..^1];
        if (!Grammar.IsCallerIdPrefix(prefix) || prefix.Length != length) return false;
        readsCaller = true;
        return true;
    }

    private static bool IsClosedDates(ReadOnlySpan<char> c)
    {
        // ${DID_TODAY} >= yyyyMMdd & ${DID_TODAY} <= yyyyMMdd
        const string a = "${DID_TODAY} >= ", b = " & ${DID_TODAY} <= ";
        if (c.Length != a.Length + 8 + b.Length + 8 || !c.StartsWith(a, StringComparison.Ordinal)) return false;
        var from = c.Slice(a.Length, 8);
        if (!c[(a.Length + 8)..].StartsWith(b, StringComparison.Ordinal)) return false;
        var to = c[(a.Length + 8 + b.Length)..];
        return IsDay(from) && IsDay(to);
    }

    private static bool IsDay(ReadOnlySpan<char> s) =>
        DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
