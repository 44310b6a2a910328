using System.Globalization;
using System.Text;

namespace Did.Dialplan;

/// <summary>The channel a walk evaluates application data on: its variables, its caller ID and the moment of the call.</summary>
internal sealed class WalkChannel(string? callerId, DateTimeOffset at)
{
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);
    public string? CallerId { get; } = callerId;
    public DateTimeOffset At { get; } = at;
    public string Exten { get; set; } = "";
}

/// <summary>Asterisk's substitution of <c>${...}</c> and <c>$[...]</c> in application data, for the variables, functions and
/// expression operators the renderer writes, and nothing else: anything else throws <see cref="NotSupportedException"/>.
/// As in pbx.c, the text inside <c>${...}</c> is substituted first and the result is then read as a variable or function
/// once: a value (a caller ID holding "${...}" or a ')') is never substituted again.</summary>
internal static class DialplanValues
{
    public static string Substitute(string data, WalkChannel channel)
    {
        if (!data.Contains('$')) return data;
        var result = new StringBuilder(data.Length);
        var i = 0;
        while (i < data.Length)
        {
            var c = data[i];
            if (c == '$' && i + 1 < data.Length && data[i + 1] is '{' or '[')
            {
                var open = data[i + 1];
                var close = Matching(data, i + 1);
                if (close < 0) throw new NotSupportedException($"'{open}' at position {i + 2} of {data} is not closed");
                var inner = Substitute(data[(i + 2)..close], channel);
                result.Append(open == '{' ? Variable(inner, channel) : Expression.Evaluate(inner));
                i = close + 1;
            }
            else
            {
                result.Append(c);
                i++;
            }
        }
        return result.ToString();
    }

    // The bracket that closes the one at `at`: pbx.c counts nested ${ / $[ of the same kind.
    private static int Matching(string s, int at)
    {
        var open = s[at];
        var close = open == '{' ? '}' : ']';
        var depth = 1;
        for (var i = at + 1; i < s.Length; i++)
        {
            if (s[i] == '$' && i + 1 < s.Length && s[i + 1] == open) { depth++; i++; }
            else if (s[i] == open && open == '[') depth++;
            else if (s[i] == close && --depth == 0) return i;
        }
        return -1;
    }

    private static string Variable(string text, WalkChannel channel)
    {
        var paren = text.IndexOf('(');
        if (paren > 0) return Function(text[..paren], Args(text, paren), channel);
        var colon = text.IndexOf(':');
        var name = colon < 0 ? text : text[..colon];
        var value = name switch
        {
            "EXTEN" => channel.Exten,
            "EPOCH" => channel.At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            _ when IsName(name) => channel.Variables.GetValueOrDefault(name, ""),
            _ => throw new NotSupportedException($"variable '{name}' is not one the renderer writes"),
        };
        return colon < 0 ? value : Substring(value, text[(colon + 1)..]);
    }

    private static bool IsName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    // ${NAME:offset[:length]}, negative values counting from the end, as pbx.c's substring().
    private static string Substring(string value, string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset))
            throw new NotSupportedException($"substring ':{spec}' is not offset[:length]");
        var length = value.Length;
        if (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out length))
            throw new NotSupportedException($"substring ':{spec}' is not offset[:length]");
        if (offset < 0) offset = Math.Max(0, value.Length + offset);
        if (offset >= value.Length) return "";
        var rest = value.Length - offset;
        if (length < 0) length = Math.Max(0, rest + length);
        return value.Substring(offset, Math.Min(length, rest));
    }

    // Everything between the first '(' and the last ')', as pbx.c's func_args.
    private static string Args(string text, int paren)
    {
        var last = text.LastIndexOf(')');
        return last > paren ? text[(paren + 1)..last] : text[(paren + 1)..];
    }

    private static string Function(string name, string args, WalkChannel channel)
    {
        switch (name)
        {
            case "CALLERID":
                if (args != "num") throw new NotSupportedException($"CALLERID({args}) is not one the renderer writes");
                return channel.CallerId ?? "";
            case "FILTER":
            {
                // The allowed characters end at the first comma; the rest, commas and all, is the string.
                var comma = args.IndexOf(',');
                if (comma < 0) return "";
                var allowed = Allowed(args[..comma]);
                var result = new StringBuilder();
                foreach (var c in args.AsSpan(comma + 1))
                    if (allowed.Contains(c)) result.Append(c);
                return result.ToString();
            }
            case "STRFTIME":
            {
                var parts = args.Split(',', 3);
                if (parts.Length != 3) throw new NotSupportedException($"STRFTIME({args}) needs epoch, time zone and format");
                if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
                    throw new NotSupportedException($"STRFTIME epoch '{parts[0]}' is not a number");
                var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(epoch), TimeZones.Find(parts[1]));
                return Strftime(local, parts[2]);
            }
            default:
                throw new NotSupportedException($"function {name}() is not one the renderer writes");
        }
    }

    // FILTER's set: single characters and a-b ranges.
    private static HashSet<char> Allowed(string spec)
    {
        var set = new HashSet<char>();
        for (var i = 0; i < spec.Length; i++)
        {
            if (i + 2 < spec.Length && spec[i + 1] == '-')
            {
                for (var c = spec[i]; c <= spec[i + 2]; c++) set.Add(c);
                i += 2;
            }
            else set.Add(spec[i]);
        }
        return set;
    }

    private static string Strftime(DateTimeOffset t, string format)
    {
        var result = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length) { result.Append(format[i]); continue; }
            result.Append(format[++i] switch
            {
                'Y' => t.Year.ToString("D4", CultureInfo.InvariantCulture),
                'm' => t.Month.ToString("D2", CultureInfo.InvariantCulture),
                'd' => t.Day.ToString("D2", CultureInfo.InvariantCulture),
                'H' => t.Hour.ToString("D2", CultureInfo.InvariantCulture),
                'M' => t.Minute.ToString("D2", CultureInfo.InvariantCulture),
                '%' => "%",
                var other => throw new NotSupportedException($"STRFTIME format %{other} is not one the renderer writes"),
            });
        }
        return result.ToString();
    }

    /// <summary>pbx_checkcondition: empty is false, a number is its value, any other text is true.</summary>
    public static bool IsTrue(string condition)
    {
        var c = condition.Trim();
        if (c.Length == 0) return false;
        return !long.TryParse(c, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n != 0;
    }

    /// <summary>The part of Asterisk's expression language ($[...]) the renderer writes, after substitution: operands are
    /// "quoted text" or bare tokens; = != &lt; &gt; &lt;= &gt;= compare as numbers when both sides are unquoted integers and
    /// as text otherwise; &amp; and | join them. The result is "1" or "0".</summary>
    private static class Expression
    {
        public static string Evaluate(string text)
        {
            var tokens = Tokens(text);
            var at = 0;
            var result = Or(tokens, ref at);
            if (at != tokens.Count) throw new NotSupportedException($"expression $[{text}] has more than the renderer writes");
            return result ? "1" : "0";
        }

        private sealed record Token(string Text, bool Quoted, bool Operator);

        private static List<Token> Tokens(string s)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < s.Length)
            {
                var c = s[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c == '"')
                {
                    var end = s.IndexOf('"', i + 1);
                    if (end < 0) throw new NotSupportedException($"expression $[{s}] has an unclosed quote");
                    tokens.Add(new Token(s[(i + 1)..end], true, false));
                    i = end + 1;
                    continue;
                }
                var op = s.AsSpan(i) switch
                {
                    var r when r.StartsWith("!=") || r.StartsWith(">=") || r.StartsWith("<=") => r[..2].ToString(),
                    var r when r[0] is '=' or '<' or '>' or '&' or '|' => r[..1].ToString(),
                    _ => null,
                };
                if (op is not null)
                {
                    tokens.Add(new Token(op, false, true));
                    i += op.Length;
                    continue;
                }
                var start = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not ('"' or '=' or '!' or '<' or '>' or '&' or '|')) i++;
                if (i == start) throw new NotSupportedException($"expression $[{s}] has '{s[i]}', which the renderer does not write");
                tokens.Add(new Token(s[start..i], false, false));
            }
            return tokens;
        }

        private static bool Or(List<Token> t, ref int at)
        {
            var value = And(t, ref at);
            while (at < t.Count && t[at] is { Operator: true, Text: "|" }) { at++; value = And(t, ref at) | value; }
            return value;
        }

        private static bool And(List<Token> t, ref int at)
        {
            var value = Comparison(t, ref at);
            while (at < t.Count && t[at] is { Operator: true, Text: "&" }) { at++; value = Comparison(t, ref at) & value; }
            return value;
        }

        private static bool Comparison(List<Token> t, ref int at)
        {
            var left = Operand(t, ref at);
            if (at >= t.Count || !t[at].Operator || t[at].Text is "&" or "|") return IsTrue(left.Text);
            var op = t[at++].Text;
            var right = Operand(t, ref at);
            int cmp;
            if (!left.Quoted && !right.Quoted
                && long.TryParse(left.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a)
                && long.TryParse(right.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b))
                cmp = a.CompareTo(b);
            else cmp = string.CompareOrdinal(left.Text, right.Text);
            return op switch
            {
                "=" => cmp == 0,
                "!=" => cmp != 0,
                "<" => cmp < 0,
                ">" => cmp > 0,
                "<=" => cmp <= 0,
                ">=" => cmp >= 0,
                _ => throw new NotSupportedException($"operator {op} is not one the renderer writes"),
            };
        }

        private static Token Operand(List<Token> t, ref int at)
        {
            if (at >= t.Count || t[at].Operator) throw new NotSupportedException("an operator without its operand");
            return t[at++];
        }
    }
}

/// <summary>IANA time zones for the walk, found once each.</summary>
internal static class TimeZones
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TimeZoneInfo> Found = new(StringComparer.Ordinal);

    public static TimeZoneInfo Find(string id)
    {
        if (Found.TryGetValue(id, out var zone)) return zone;
        if (!Grammar.IsTimeZone(id) || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone))
            throw new NotSupportedException($"time zone '{id}' is not known here (Asterisk would read it as UTC)");
        return Found[id] = zone;
    }
}
