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

    /// <summary>The rule a value of another shape breaks, worded to follow the field's name.</summary>
    public const string ShapeRule = "must be an RFC 3339 date-time with 'Z' or an offset, such as 2026-12-25T15:00:00Z";

    private static readonly Regex Shape = WholeMatch.Of(Pattern);

    /// <summary>The refusals name the parameter, the rule and the value: the shape first, then why a value of that shape
    /// names no instant (<see cref="Refusal"/>).</summary>
    public static IRuleBuilderOptions<T, string?> Timestamp<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(Pattern)
            .WithMessage("'{PropertyName}' " + ShapeRule + " (you sent '{PropertyValue}').")
            .Must(s => s is null || !HasShape(s) || TryRead(s, out _))
            .WithMessage((_, s) => "'{PropertyName}' " + Refusal(s!) + " (you sent '{PropertyValue}').");

    /// <summary>Why a value of the shape of <see cref="Pattern"/> names no instant, worded to follow the field's name: an
    /// offset beyond what any zone uses, a date or time that does not exist, or an instant outside what a
    /// <see cref="DateTimeOffset"/> (and PostgreSQL's timestamptz with it) holds here.</summary>
    public static string Refusal(string value)
    {
        if (value[^1] != 'Z')
        {
            var hours = int.Parse(value.AsSpan(value.Length - 5, 2), CultureInfo.InvariantCulture);
            var minutes = int.Parse(value.AsSpan(value.Length - 2, 2), CultureInfo.InvariantCulture);
            if (minutes > 59 || hours * 60 + minutes > 14 * 60)
                return "has no valid offset: offsets must be between -14:00 and +14:00";
        }
        var local = value[..(value[^1] == 'Z' ? value.Length - 1 : value.Length - 6)];
        if (!DateTime.TryParseExact(local, LocalForms, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return "is not a date and time that exists";
        return "is outside the instants this service holds: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.9999999Z";
    }

    private static readonly string[] LocalForms =
        ["yyyy-MM-ddTHH:mm:ss", .. Enumerable.Range(1, 7).Select(n => "yyyy-MM-ddTHH:mm:ss." + new string('f', n))];

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
