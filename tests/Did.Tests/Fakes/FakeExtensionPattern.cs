namespace Did.Tests.Fakes;

/// <summary>Asterisk's extension ordering and matching, enough for the fake: literals before patterns, literals
/// compared bytewise ignoring <c>-</c>; patterns with <c>X Z N [..] . !</c>, more specific first.</summary>
public static class FakeExtensionPattern
{
    public static int Compare(string left, string right)
    {
        var lp = left.StartsWith('_');
        var rp = right.StartsWith('_');
        if (lp != rp) return lp ? 1 : -1;
        if (!lp) return string.CompareOrdinal(left.Replace("-", ""), right.Replace("-", ""));
        int i = 1, j = 1;
        while (true)
        {
            var a = Weight(left, ref i);
            var b = Weight(right, ref j);
            if (a != b) return a.CompareTo(b);
            if (a == 0) return 0;
        }
    }

    /// <summary>Does the dialled <paramref name="number"/> match <paramref name="extension"/> (literal or pattern)?</summary>
    public static bool Matches(string extension, string number)
    {
        if (!extension.StartsWith('_')) return extension == number;
        return Match(extension, 1, number, 0);
    }

    private static bool Match(string p, int i, string n, int j)
    {
        while (i < p.Length)
        {
            var c = p[i];
            if (c == '.') return j < n.Length;
            if (c == '!') return true;
            if (j >= n.Length) return false;
            var d = n[j];
            switch (char.ToUpperInvariant(c))
            {
                case 'X': if (d is < '0' or > '9') return false; i++; break;
                case 'Z': if (d is < '1' or > '9') return false; i++; break;
                case 'N': if (d is < '2' or > '9') return false; i++; break;
                case '[':
                    var close = p.IndexOf(']', i);
                    if (close < 0 || !InSet(p.AsSpan(i + 1, close - i - 1), d)) return false;
                    i = close + 1;
                    break;
                case '-': i++; continue;
                default: if (c != d) return false; i++; break;
            }
            j++;
        }
        return j == n.Length;
    }

    private static bool InSet(ReadOnlySpan<char> set, char d)
    {
        for (var k = 0; k < set.Length; k++)
        {
            if (k + 2 < set.Length && set[k + 1] == '-')
            {
                if (d >= set[k] && d <= set[k + 2]) return true;
                k += 2;
            }
            else if (set[k] == d) return true;
        }
        return false;
    }

    /// <summary>(how many characters the position matches &lt;&lt; 8) | lowest character; 0 at the end.</summary>
    private static int Weight(string p, ref int i)
    {
        if (i >= p.Length) return 0;
        var c = p[i++];
        switch (char.ToUpperInvariant(c))
        {
            case 'X': return (10 << 8) | '0';
            case 'Z': return (9 << 8) | '1';
            case 'N': return (8 << 8) | '2';
            case '.': return 0x40000;
            case '!': return 0x40001;
            case '[':
                var close = p.IndexOf(']', i);
                if (close < 0) return (1 << 8) | c;
                var set = p.AsSpan(i, close - i);
                i = close + 1;
                var count = 0;
                var low = char.MaxValue;
                for (var ch = (char)0; ch < 128; ch++)
                {
                    if (!InSet(set, ch)) continue;
                    count++;
                    if (ch < low) low = ch;
                }
                return (count << 8) | low;
            default: return (1 << 8) | c;
        }
    }
}
