using System.Globalization;
using System.Text.RegularExpressions;

namespace Did.Tests.Fakes;

/// <summary>The fake switch's own reading of the variables, expressions and time conditions Did writes for routing rules,
/// form by form (not the service's evaluator: the fake stays an independent witness). Caller ID enters only through
/// <c>${FILTER(0-9+,${CALLERID(num)})}</c>, replaced by the filtered text and never read again, as Asterisk substitutes a
/// value once. A form it does not know throws, so a test fails rather than guess.</summary>
public static partial class FakeRouteConditions
{
    public static string Substitute(string data, string exten, string? callerId, DateTimeOffset at, IReadOnlyDictionary<string, string> variables)
    {
        if (!data.Contains('$')) return data;
        var s = data
            .Replace("${FILTER(0-9,${EXTEN})}", Keep(exten, "0123456789"), StringComparison.Ordinal)
            .Replace("${FILTER(0-9+,${CALLERID(num)})}", Keep(callerId ?? "", "0123456789+"), StringComparison.Ordinal)
            .Replace("${FILTER(0-9,${DID_CALLER})}", Keep(variables.GetValueOrDefault("DID_CALLER", ""), "0123456789"), StringComparison.Ordinal)
            .Replace("${DID_TODAY}", variables.GetValueOrDefault("DID_TODAY", ""), StringComparison.Ordinal)
            .Replace("${GOSUB_RETVAL}", variables.GetValueOrDefault("GOSUB_RETVAL", ""), StringComparison.Ordinal);
        s = CallerPrefix().Replace(s, m =>
        {
            var caller = variables.GetValueOrDefault("DID_CALLER", "");
            var length = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return caller.Length <= length ? caller : caller[..length];
        });
        s = Today().Replace(s, m => TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(m.Groups[1].Value)).ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        s = Expression().Replace(s, m => Evaluate(m.Groups[1].Value) ? "1" : "0");
        if (s.Contains("${", StringComparison.Ordinal) || s.Contains("$[", StringComparison.Ordinal))
            throw new NotSupportedException($"the fake switch does not read {data}");
        return s;
    }

    public static (string Condition, string WhenTrue, string WhenFalse) Branches(string data)
    {
        var parts = data.Split('?', 2);
        if (parts.Length < 2) return (data, "", "");
        var branches = parts[1].Split(':', 2);
        return (parts[0], branches[0], branches.Length > 1 ? branches[1] : "");
    }

    public static bool IsTrue(string condition) => condition.Trim() is { Length: > 0 } c && c != "0";

    /// <summary>GotoIfTime's <c>HH:MM-HH:MM,days,*,*,zone</c>: the end minute included, days as names joined by '&amp;' or a
    /// range, tested on the local time of the zone.</summary>
    public static bool InTime(string condition, DateTimeOffset at)
    {
        var f = condition.Split(',');
        if (f.Length != 5 || f[2] != "*" || f[3] != "*") throw new NotSupportedException($"the fake switch does not read GotoIfTime({condition})");
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(f[4]));
        var minute = local.Hour * 60 + local.Minute;
        var times = f[0].Split('-');
        if (minute < Minute(times[0]) || minute > Minute(times[1])) return false;
        var today = local.DayOfWeek.ToString()[..3].ToLowerInvariant();
        return f[1] == "*" || f[1].Split('&').Any(part =>
        {
            var range = part.Split('-');
            if (range.Length == 1) return range[0] == today;
            var order = new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
            var (from, to, day) = (Array.IndexOf(order, range[0]), Array.IndexOf(order, range[1]), Array.IndexOf(order, today));
            return day >= from && day <= to;
        });
    }

    private static int Minute(string clock) => int.Parse(clock[..2], CultureInfo.InvariantCulture) * 60 + int.Parse(clock[3..], CultureInfo.InvariantCulture);

    private static string Keep(string text, string allowed) => new(text.Where(allowed.Contains).ToArray());

    // "a" = "b", "a" != "b", 20260101 >= 20251231, joined by " & ".
    private static bool Evaluate(string expression) => expression.Split(" & ").All(part =>
    {
        var text = TextComparison().Match(part.Trim());
        if (text.Success) return (text.Groups[1].Value == text.Groups[3].Value) == (text.Groups[2].Value == "=");
        var number = NumberComparison().Match(part.Trim());
        if (!number.Success) throw new NotSupportedException($"the fake switch does not read $[{expression}]");
        var (a, b) = (long.Parse(number.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(number.Groups[3].Value, CultureInfo.InvariantCulture));
        return number.Groups[2].Value == ">=" ? a >= b : a <= b;
    });

    [GeneratedRegex(@"\$\{DID_CALLER:0:([0-9]+)\}")]
    private static partial Regex CallerPrefix();

    [GeneratedRegex(@"\$\{STRFTIME\(\$\{EPOCH\},([A-Za-z0-9/_+-]+),%Y%m%d\)\}")]
    private static partial Regex Today();

    [GeneratedRegex(@"\$\[([^\[\]]*)\]")]
    private static partial Regex Expression();

    [GeneratedRegex("^\"([0-9+A-Z]*)\" (=|!=) \"([0-9+A-Z]*)\"$")]
    private static partial Regex TextComparison();

    [GeneratedRegex("^([0-9]+) (>=|<=) ([0-9]+)$")]
    private static partial Regex NumberComparison();
}
