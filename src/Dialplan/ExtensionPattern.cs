namespace Did.Dialplan;

/// <summary>Which extension names the renderer may produce, and Asterisk's pattern matching for the linter's
/// "does this Goto land somewhere" check.</summary>
public static class ExtensionPattern
{
    /// <summary>[0-9*#]+, +[0-9]+, s, t, i, or '_' followed by digits, '+', X Z N, [..] classes of digits and ranges,
    /// and a final '.' or '!'. Anything else (letters, spaces, ${...}) is not something we generate.</summary>
    public static bool IsValid(string extension) => IsValid(extension.AsSpan());

    /// <inheritdoc cref="IsValid(string)"/>
    public static bool IsValid(ReadOnlySpan<char> extension)
    {
        if (extension is "s" or "t" or "i") return true;
        if (extension.Length == 0) return false;
        if (extension[0] == '+') return Grammar.AllDigits(extension[1..]);
        if (extension[0] != '_')
        {
            foreach (var c in extension)
                if (!(char.IsAsciiDigit(c) || c is '*' or '#')) return false;
            return true;
        }
        if (extension.Length == 1) return false;
        for (var i = 1; i < extension.Length; i++)
        {
            var c = extension[i];
            if (char.IsAsciiDigit(c) || c is '+' or 'X' or 'Z' or 'N') continue;
            if (c is '.' or '!') { if (i != extension.Length - 1 || i == 1) return false; continue; }
            if (c != '[') return false;
            var close = extension[i..].IndexOf(']');
            if (close < 0 || close == 1) return false;
            close += i;
            for (var k = i + 1; k < close; k++)
            {
                var d = extension[k];
                if (char.IsAsciiDigit(d)) continue;
                if (d == '-' && k > i + 1 && k < close - 1 && char.IsAsciiDigit(extension[k - 1]) && char.IsAsciiDigit(extension[k + 1])) continue;
                return false;
            }
            i = close;
        }
        return true;
    }

    public static bool IsPattern(string extension) => extension.Length > 1 && extension[0] == '_';

    /// <summary>Asterisk's match of a dialled <paramref name="number"/> against an extension: literal names compare
    /// exactly; a '_' pattern uses X=[0-9], Z=[1-9], N=[2-9], [..], '.' (one or more), '!' (zero or more).</summary>
    public static bool Matches(string extension, string number)
    {
        if (!IsPattern(extension)) return extension == number;
        return Match(extension.AsSpan(1), number.AsSpan());
    }

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> s)
    {
        while (!p.IsEmpty)
        {
            var c = char.ToUpperInvariant(p[0]);
            if (c == '.') return !s.IsEmpty;
            if (c == '!') return true;
            if (s.IsEmpty) return false;
            var ch = s[0];
            int consumed = 1;
            bool ok;
            switch (c)
            {
                case 'X': ok = ch is >= '0' and <= '9'; break;
                case 'Z': ok = ch is >= '1' and <= '9'; break;
                case 'N': ok = ch is >= '2' and <= '9'; break;
                case '[':
                    var close = p.IndexOf(']');
                    if (close < 0) return false;
                    ok = InClass(p[1..close], ch);
                    consumed = close + 1;
                    break;
                default: ok = p[0] == ch; break;
            }
            if (!ok) return false;
            p = p[consumed..];
            s = s[1..];
        }
        return s.IsEmpty;
    }

    private static bool InClass(ReadOnlySpan<char> set, char ch)
    {
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                if (ch >= set[i] && ch <= set[i + 2]) return true;
                i += 2;
            }
            else if (set[i] == ch) return true;
        }
        return false;
    }
}
