namespace Did.Dialplan;

/// <summary>The grammars of every identifier that reaches the dialplan. Hand-written loops instead of Regex:
/// the renderer checks about a million values per render and these run in a few nanoseconds each.
/// Everything accepted here is plain ASCII without spaces, commas, parentheses, brackets or control
/// characters, so it can neither end an application call, start a context nor break a line.</summary>
public static class Grammar
{
    /// <summary>E.164 with the plus: ^\+[1-9][0-9]{1,14}$.</summary>
    public static bool IsE164(ReadOnlySpan<char> s)
    {
        if (s.Length < 3 || s.Length > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9') return false;
        return AllDigits(s[2..]);
    }

    /// <summary>Tenant slug: ^[a-z][a-z0-9-]{1,30}$.</summary>
    public static bool IsSlug(ReadOnlySpan<char> s)
    {
        if (s.Length < 2 || s.Length > 31 || s[0] < 'a' || s[0] > 'z') return false;
        foreach (var c in s[1..])
            if (!IsLowerAlnum(c) && c != '-') return false;
        return true;
    }

    /// <summary>User extension: ^[0-9]{2,8}$.</summary>
    public static bool IsUserExtension(ReadOnlySpan<char> s) => s.Length is >= 2 and <= 8 && AllDigits(s);

    /// <summary>IVR or queue name: ^[a-z0-9-]{1,40}$.</summary>
    public static bool IsObjectName(ReadOnlySpan<char> s)
    {
        if (s.Length is < 1 or > 40) return false;
        foreach (var c in s)
            if (!IsLowerAlnum(c) && c != '-') return false;
        return true;
    }

    /// <summary>Sound file of a greeting: ^[A-Za-z0-9_/-]{1,128}$, and not absolute (no leading '/'), so it stays
    /// inside Asterisk's sounds directory. '.' is not in the set, so '..' cannot occur either.</summary>
    public static bool IsSound(ReadOnlySpan<char> s, int maxLength = 128)
    {
        if (s.Length < 1 || s.Length > maxLength || s[0] == '/') return false;
        foreach (var c in s)
            if (!IsAsciiAlnum(c) && c != '_' && c != '/' && c != '-') return false;
        return true;
    }

    /// <summary>An IVR option key: one of 0-9 * #.</summary>
    public static bool IsIvrKey(ReadOnlySpan<char> s) => s.Length == 1 && (char.IsAsciiDigit(s[0]) || s[0] == '*' || s[0] == '#');

    /// <summary>Channel technology such as PJSIP, SIP, IAX2: ^[A-Za-z][A-Za-z0-9_]{0,19}$.</summary>
    public static bool IsTechnology(ReadOnlySpan<char> s)
    {
        if (s.Length is < 1 or > 20 || !char.IsAsciiLetter(s[0])) return false;
        foreach (var c in s)
            if (!IsAsciiAlnum(c) && c != '_') return false;
        return true;
    }

    /// <summary>An endpoint name after {slug}/{extension} substitution: ^[A-Za-z0-9_.@+-]{1,80}$.</summary>
    public static bool IsEndpoint(ReadOnlySpan<char> s)
    {
        if (s.Length is < 1 or > 80) return false;
        foreach (var c in s)
            if (!IsAsciiAlnum(c) && c is not ('_' or '.' or '@' or '+' or '-')) return false;
        return true;
    }

    /// <summary>An IANA time zone name as the dialplan may carry it: ^[A-Za-z0-9/_+-]{1,64}$, not starting with '/'
    /// (e.g. America/New_York, Etc/GMT+5, UTC). Whether the zone exists is the API's check; this is what is safe to write.</summary>
    public static bool IsTimeZone(ReadOnlySpan<char> s)
    {
        if (s.Length is < 1 or > 64 || s[0] == '/') return false;
        foreach (var c in s)
            if (!IsAsciiAlnum(c) && c is not ('/' or '_' or '+' or '-')) return false;
        return true;
    }

    /// <summary>A caller-ID prefix of a routing rule: ^\+[0-9]{1,15}$.</summary>
    public static bool IsCallerIdPrefix(ReadOnlySpan<char> s) => s.Length is >= 2 and <= 16 && s[0] == '+' && AllDigits(s[1..]);

    public static bool AllDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    /// <summary>A value safe to quote in a refusal message: printable ASCII only, short; anything else escaped.</summary>
    public static string Quote(string? value)
    {
        if (value is null) return "(null)";
        var sb = new System.Text.StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value.Length > 80 ? value[..80] : value)
        {
            if (c is >= ' ' and <= '~') sb.Append(c);
            else sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (value.Length > 80) sb.Append("...");
        return sb.Append('\'').ToString();
    }

    private static bool IsLowerAlnum(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
    private static bool IsAsciiAlnum(char c) => char.IsAsciiLetterOrDigit(c);
}
