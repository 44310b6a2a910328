using System.Globalization;
using System.Text;

namespace Did.Infrastructure.Validation;

/// <summary>Characters that change how the text around them reads without being seen themselves: format characters
/// (Unicode category Cf: direction overrides and isolates, zero-width space, byte order mark, soft hyphen, tag
/// characters...) and the line and paragraph separators (Zl, Zp). Text holding one can look exactly like other text in a
/// list or an audit log. Read by code point, so characters beyond the Basic Multilingual Plane count too.</summary>
public static class InvisibleCharacters
{
    /// <summary>The zero-width non-joiner and joiner: invisible, but part of how Persian, Indic scripts and emoji
    /// sequences are spelt, so a name may hold them.</summary>
    public static bool IsJoiner(Rune r) => r.Value is 0x200C or 0x200D;

    public static bool IsInvisible(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>The first invisible character of <paramref name="text"/> and its position (1-based, in characters as
    /// read, not UTF-16 units), or null; joiners pass when <paramref name="allowJoiners"/>.</summary>
    public static (Rune Character, int Position)? First(string text, bool allowJoiners)
    {
        var position = 0;
        foreach (var r in text.EnumerateRunes())
        {
            position++;
            if (IsInvisible(r) && !(allowJoiners && IsJoiner(r))) return (r, position);
        }
        return null;
    }

    /// <summary>Whether <paramref name="text"/> shows anything: a character that is neither white space nor invisible
    /// (joiners included, which show nothing alone).</summary>
    public static bool HasVisible(string text)
    {
        foreach (var r in text.EnumerateRunes())
            if (!Rune.IsWhiteSpace(r) && !IsInvisible(r)) return true;
        return false;
    }

    /// <summary>How a refusal names the character: its code point, never the character itself, which would do in the
    /// answer what it was refused for.</summary>
    public static string Describe(Rune r) => $"U+{r.Value:X4}";
}
