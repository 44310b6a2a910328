using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;

namespace Did.Infrastructure.Validation;

/// <summary>The one reader of timestamps in query strings (<c>at</c>, <c>from</c>, <c>to</c>) and, through
/// <see cref="Json.TimestampConverter"/>, in bodies (<c>expires_at</c>): an RFC 3339 date-time (seconds
/// included, as RFC 3339 requires) with <c>Z</c> or an offset, read as that instant, or refused. A timestamp without either would be read in the server's
/// zone, a value the client never sent (docs/decisions.md, "A value is read as sent, or refused").</summary>
public static class Timestamps
{
    public const string Pattern = @"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})$";

    public const string Description =
        "An RFC 3339 date-time with Z or an offset, such as 2026-12-25T15:00:00Z or 2026-12-25T10:00:00-05:00; without either it is a 400.";

    private static readonly Regex Shape = WholeMatch.Of(Pattern);

    /// <summary>The refusals name the parameter, the rule and the value: the shape first, then whether the date exists.</summary>
    public static IRuleBuilderOptions<T, string?> Timestamp<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(Pattern)
            .WithMessage("'{PropertyName}' must be an RFC 3339 date-time with 'Z' or an offset, such as 2026-12-25T15:00:00Z " +
                         "(you sent '{PropertyValue}').")
            .Must(s => s is null || !HasShape(s) || TryRead(s, out _))
            .WithMessage("'{PropertyName}' is not a date and time that exists (you sent '{PropertyValue}').");

    /// <summary>The instant <paramref name="value"/> names, in UTC (PostgreSQL takes no other offset for a timestamptz),
    /// when it has the shape of <see cref="Pattern"/> and exists.</summary>
    public static bool TryRead(string? value, out DateTimeOffset instant)
    {
        instant = default;
        if (value is null || !HasShape(value) || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var sent))
            return false;
        instant = sent.ToUniversalTime();
        return true;
    }

    /// <summary>For values a validator with <see cref="Timestamp{T}"/> has passed.</summary>
    public static DateTimeOffset? Read(string? value) =>
        value is null ? null
        : TryRead(value, out var instant) ? instant
        : throw new InvalidOperationException($"'{value}' reached a handler unvalidated: its validator uses Timestamp()");

    /// <summary>Whether <paramref name="value"/> has the shape of <see cref="Pattern"/> (the date may still not exist).</summary>
    public static bool HasShape(string value) => Shape.IsMatch(value);
}
