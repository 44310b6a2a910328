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

    /// <summary>Asterisk's order of two '_' patterns (pbx.c ext_cmp_pattern): position by position, a smaller set of characters
    /// first (a digit before N before Z before X), '.' after any set, '!' after '.', and a pattern that ends before one that
    /// goes on. In a context, the first pattern in this order that matches a number takes the call.</summary>
    public static int Compare(string left, string right)
    {
        int i = 1, j = 1;
        while (true)
        {
            var (lw, lset) = Position(left, ref i);
            var (rw, rset) = Position(right, ref j);
            var cmp = lw.CompareTo(rw);
            if (cmp == 0) cmp = rset.CompareTo(lset); // memcmp(right, left): the set holding lower characters first
            if (cmp != 0 || lw == End) return cmp;
        }
    }

    private const int End = 0x30000;

    // The weight of the next position (bits 0-7 the lowest character, 8-15 how many characters, 16+ '.', '!', end) and
    // its characters as a bit string, character 0 at the top, as Asterisk's bitwise array compares.
    private static (int Weight, UInt128 Set) Position(string p, ref int i)
    {
        while (true)
        {
            while (i < p.Length && p[i] == '-') i++;
            if (i >= p.Length) return (End, 0);
            var c = p[i++];
            switch (c)
            {
                case 'n' or 'N': return (0x0800 | '2', Range('2', '9'));
                case 'x' or 'X': return (0x0A00 | '0', Range('0', '9'));
                case 'z' or 'Z': return (0x0900 | '1', Range('1', '9'));
                case '.': return (0x18000, 0);
                case '!': return (0x28000, 0);
                case '[':
                    var close = p.IndexOf(']', i);
                    if (close < 0) return (0x40000, 0);
                    UInt128 set = 0;
                    for (var k = i; k < close; k++)
                    {
                        if (k + 2 < close && p[k + 1] == '-') { set |= Range(p[k], p[k + 2]); k += 2; }
                        else set |= Bit(p[k]);
                    }
                    i = close + 1;
                    if (set == 0) continue; // an empty set is ignored
                    var count = (int)UInt128.PopCount(set);
                    var lowest = 127 - (int)UInt128.Log2(set);
                    return ((count << 8) | lowest, set);
                default: return (0x0100 | (c & 0xFF), Bit(c));
            }
        }
    }

    private static UInt128 Bit(char c) => c < 128 ? UInt128.One << (127 - c) : 0;

    private static UInt128 Range(char from, char to)
    {
        UInt128 set = 0;
        for (var c = from; c <= to; c++) set |= Bit(c);
        return set;
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
