using Did.Infrastructure.Auth;
using FluentValidation;

namespace Did.Infrastructure.Validation;

/// <summary>Rules shared by several slices. Messages name the field, the rule and, where safe, the value.</summary>
public static class Rules
{
    /// <summary>No control characters (NUL, CR, LF, ...): they break logs, CSV exports and the dialplan.</summary>
    public static IRuleBuilderOptions<T, string?> PlainText<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.SetValidator(new CharacterLimitValidator<T>(maxLength))
            .Must(s => s is null || !s.Any(char.IsControl))
            .WithMessage("'{PropertyName}' must not contain control characters (NUL, newline, tab...).");

    /// <summary>A name people pick from lists and read in the audit log, or a short text read there (a quarantine's
    /// reason): plain text without the invisible characters that would make it look like another
    /// (<see cref="VisibleTextValidator{T}"/>); ZWNJ and ZWJ stay, as Persian, Indic scripts and emoji need them, but
    /// joiners alone are no text (<see cref="Visible{T}"/>). Handlers store a name trimmed and composed by PostgreSQL
    /// (<c>normalize(@name, NFC)</c>), as the migration that composed the names stored before did.</summary>
    public static IRuleBuilderOptions<T, string?> Name<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.PlainText(maxLength).SetValidator(new VisibleTextValidator<T>()).Visible();

    /// <summary>A required text shows something (<see cref="InvisibleCharacters.HasVisible"/>): a name or reason of only
    /// invisible characters reads as empty in every list and log, yet passes an emptiness check. Empty or white space
    /// alone is left to that check, so it gets one message.</summary>
    private static IRuleBuilderOptions<T, string?> Visible<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(s => string.IsNullOrWhiteSpace(s) || InvisibleCharacters.HasVisible(s))
            .WithMessage("'{PropertyName}' must hold at least one visible character (you sent only spaces or invisible characters such as a zero-width space).");

    public const string SlugPattern = "^[a-z][a-z0-9-]{1,30}$";
    public const string ExtensionPattern = "^[0-9]{2,8}$";
    /// <summary>In a PATCH, "" removes the extension.</summary>
    public const string ExtensionOrEmptyPattern = "^([0-9]{2,8})?$";

    /// <summary>The whole value matches <paramref name="pattern"/>, an ECMA-262 pattern anchored with ^ and $ (what the
    /// OpenAPI document publishes). Use this, never FluentValidation's Matches: in .NET, $ also matches before a final
    /// newline (<see cref="WholeMatchValidator{T}"/>).</summary>
    public static IRuleBuilderOptions<T, string?> MatchesWhole<T>(this IRuleBuilder<T, string?> rule, string pattern) =>
        rule.SetValidator(new WholeMatchValidator<T>(pattern));

    public static IRuleBuilderOptions<T, string?> Slug<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(SlugPattern)
            .WithMessage("'{PropertyName}' must match " + SlugPattern + " (you sent '{PropertyValue}').");

    public static IRuleBuilderOptions<T, string?> Extension<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(ExtensionPattern)
            .WithMessage("'{PropertyName}' must be 2 to 8 digits (you sent '{PropertyValue}').");

    public static IRuleBuilderOptions<T, string?> Email<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(254)
            .MatchesWhole(@"^[^@\s]+@[^@\s]+\.[^@\s]+$") // ECMA-262 compatible: the OpenAPI document carries it to SDKs
            .WithMessage("'{PropertyName}' must be an email address (you sent '{PropertyValue}').")
            .Must(s => s is null || !s.Any(char.IsControl))
            .WithMessage("'{PropertyName}' must not contain control characters.")
            .Must(s => s is null || !EmailAddress.HasInvisible(s))
            .WithMessage("'{PropertyName}' must not contain invisible characters (zero-width space, direction mark, soft hyphen...).");
}
