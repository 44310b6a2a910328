using System.Text.Json;
using System.Text.RegularExpressions;

namespace Did.Infrastructure.Errors;

/// <summary>What a JSON value must be, in JSON's words, when System.Text.Json could not convert it: a client reads "a
/// string (you sent a number)" or "a whole number from -2147483648 to 2147483647", not a .NET type. The reader's inner
/// exception says what it wanted and what it found; without one, its message names the type it was reading.</summary>
internal static partial class JsonKinds
{
    private const string WholeNumber = "a whole number from -2147483648 to 2147483647";

    /// <summary>Whether the reader stopped at a null where a value of its own kind was wanted (a UUID, for one, is read as
    /// a string): "must not be null" says it, where "must be a string" would not.</summary>
    public static bool SentNull(JsonException j) =>
        j.InnerException is InvalidOperationException inner && TokenOfOtherKind().Match(inner.Message) is { Success: true } m
        && m.Groups["sent"].Value == "Null";

    /// <summary>The kind of value wanted where <paramref name="j"/> stopped, or null when it does not say.</summary>
    public static string? Expected(JsonException j)
    {
        if (j.InnerException is InvalidOperationException inner && TokenOfOtherKind().Match(inner.Message) is { Success: true } m)
            return $"{Wanted(m.Groups["wanted"].Value)} (you sent {Sent(m.Groups["sent"].Value)})";
        if (j.InnerException is FormatException format)
        {
            if (format.Message.Contains("Int32", StringComparison.Ordinal)) return WholeNumber;
            if (format.Message.Contains("Guid", StringComparison.Ordinal)) return "a UUID";
        }
        var at = j.Message.IndexOf(ConvertedTo, StringComparison.Ordinal);
        if (at < 0 || j.InnerException is not null) return null;
        var type = j.Message[(at + ConvertedTo.Length)..];
        var end = type.IndexOf(". Path:", StringComparison.Ordinal);
        type = end >= 0 ? type[..end] : type.TrimEnd('.');
        return type switch
        {
            "System.Guid" => "a UUID",
            "System.String" => "a string",
            "System.Int32" => WholeNumber,
            _ when type.Contains("List`1", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => "an array",
            _ when type.Contains("Dictionary`2", StringComparison.Ordinal) => "an object",
            // A body or property read as one of the service's records (a JSON object) and given something else.
            _ when !type.StartsWith("System.", StringComparison.Ordinal) => "an object",
            _ => null,
        };
    }

    private const string ConvertedTo = "could not be converted to ";

    // The request records hold no numbers but int: "a number" the reader wants is a whole one.
    private static string Wanted(string wanted) => wanted switch
    {
        "string" => "a string",
        "number" => WholeNumber,
        "boolean" => "true or false",
        _ => "a " + wanted,
    };

    private static string Sent(string token) => token switch
    {
        "String" => "a string",
        "Number" => "a number",
        "True" or "False" => token.ToLowerInvariant(),
        "StartArray" => "an array",
        "StartObject" => "an object",
        _ => token,
    };

    [GeneratedRegex(@"^Cannot get the value of a token type '(?<sent>\w+)' as a (?<wanted>\w+)\.$")]
    private static partial Regex TokenOfOtherKind();
}
