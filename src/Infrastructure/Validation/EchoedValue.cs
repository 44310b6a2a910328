namespace Did.Infrastructure.Validation;

/// <summary>A value a client sent, as an error message may quote it back: messages name the value (README, "Errors"), and
/// a value of any length or with control characters must not bloat or break the message, a log line or a CSV cell.</summary>
public static class EchoedValue
{
    public const int MaxLength = 40;

    /// <summary>At most <see cref="MaxLength"/> characters (then "..."), control characters and U+FFFD shown as '?'.</summary>
    public static string Of(ReadOnlySpan<char> value)
    {
        var cut = value.Length > MaxLength ? value[..MaxLength] : value;
        var chars = new char[cut.Length];
        for (var i = 0; i < cut.Length; i++) chars[i] = char.IsControl(cut[i]) || cut[i] == '\uFFFD' ? '?' : cut[i];
        return new string(chars) + (value.Length > MaxLength ? "..." : "");
    }
}
