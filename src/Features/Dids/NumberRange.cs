using Did.Infrastructure.Errors;

namespace Did.Features.Dids;

/// <summary>A block of consecutive numbers, both ends included, in any written form: {"from": "+15551230000", "to":
/// "+15551230999"}.</summary>
public sealed record NumberRange(string From, string To);

internal static class NumberRanges
{
    public const int MaxNumbers = 100_000;

    /// <summary>The numbers of a range in E.164, in order, or a 400 naming the end or the rule it breaks: both ends valid
    /// numbers of the same length and country, <c>from</c> not after <c>to</c>, at most 100,000 numbers.</summary>
    public static string[] Expand(NumberRange range, string? defaultRegion)
    {
        var from = End("range.from", range.From, defaultRegion);
        var to = End("range.to", range.To, defaultRegion);
        if (from.E164.Length != to.E164.Length)
            throw Problem.Invalid("range", $"The range's ends must have the same length: {from.E164} has {from.E164.Length - 1} digits, {to.E164} has {to.E164.Length - 1}.");
        if (from.Country != to.Country)
            throw Problem.Invalid("range", $"The range's ends must be in the same country: {from.E164} is {from.Country}, {to.E164} is {to.Country}.");
        var first = long.Parse(from.E164.AsSpan(1));
        var last = long.Parse(to.E164.AsSpan(1));
        if (first > last)
            throw Problem.Invalid("range", $"The range is reversed: 'from' ({from.E164}) comes after 'to' ({to.E164}).");
        if (last - first + 1 > MaxNumbers)
            throw Problem.Invalid("range", $"The range holds {last - first + 1:N0} numbers; at most {MaxNumbers:N0} are allowed in one call.");
        var digits = from.E164.Length - 1;
        var numbers = new string[last - first + 1];
        for (var i = 0; i < numbers.Length; i++) numbers[i] = "+" + (first + i).ToString().PadLeft(digits, '0');
        return numbers;
    }

    private static NormalizedNumber End(string field, string? value, string? defaultRegion)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Problem.Invalid(field, $"'{field}' is required.");
        return NumberNormalizer.TryNormalize(value, defaultRegion, out var number, out var reason)
            ? number
            : throw Problem.Invalid(field, $"'{field}': {NumberNormalizer.Describe(value, reason, defaultRegion)}");
    }
}
