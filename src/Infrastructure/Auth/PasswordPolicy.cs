using System.Collections.Frozen;
using System.Text;
using FluentValidation;

namespace Did.Infrastructure.Auth;

/// <summary>What a new password must be: at least 12 characters, at most 72 bytes in UTF-8 once normalized (bcrypt ignores
/// every byte after the 72nd, so a longer password would be accepted with its end unchecked), and not one of the most common
/// passwords (common-passwords.txt, shipped in the assembly). Applies when a password is set, never at sign-in, so an
/// account whose password predates the rules can still sign in and change it.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxBytes = 72;

    private static readonly FrozenSet<string> Common = LoadCommon();

    public const string TooShort = "must be at least 12 characters";
    public const string TooLong = "must be at most 72 bytes in UTF-8 once normalized (bcrypt ignores the rest)";
    public const string TooCommon = "is one of the most common passwords; choose another";

    /// <summary>The password as hashed and checked: compatibility-composed (NFKC, as NIST SP 800-63B asks), so the same
    /// characters typed composed on one keyboard and decomposed on another are one password.</summary>
    public static string Normalize(string password) => password.Normalize(NormalizationForm.FormKC);

    /// <summary>Why the password is refused (a phrase to follow its name), or null when it is acceptable.</summary>
    public static string? Violation(string password) =>
        Characters(password) < MinLength ? TooShort
        : !FitsBcrypt(password) ? TooLong
        : IsCommon(password) ? TooCommon
        : null;

    public static bool IsCommon(string password) => Common.Contains(Normalize(password).ToLowerInvariant());

    private static string LengthMessage(string? p) =>
        $"'{{PropertyName}}' must be {MinLength} to {MaxBytes} characters long (you sent {Characters(p ?? "")}).";

    /// <summary>Characters as a person counts them: code points of the normalized password (NIST SP 800-63B), so an
    /// emoji, two UTF-16 units, or an accent typed as a letter and a combining mark, is one.</summary>
    public static int Characters(string password) => Normalize(password).EnumerateRunes().Count();

    /// <summary>Whether bcrypt reads all of the password as hashed: normalizing may lengthen it (U+FDFA is 18 letters).</summary>
    private static bool FitsBcrypt(string password) =>
        password.Length <= MaxBytes && Encoding.UTF8.GetByteCount(Normalize(password)) <= MaxBytes;

    /// <summary>The policy as a validation rule, one message per password. Its messages name the rule, never the value.</summary>
    public static IRuleBuilderOptions<T, string?> NewPassword<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Length(MinLength, MaxBytes) // published as minLength and maxLength; the rule below counts as a person does
            .WithMessage((_, p) => LengthMessage(p))
            .Must(p => p is null || p.Length < MinLength || p.Length > MaxBytes || Characters(p) >= MinLength)
            .WithMessage((_, p) => LengthMessage(p))
            .Must(p => p is null || p.Length > MaxBytes || FitsBcrypt(p))
            .WithMessage($"'{{PropertyName}}' {TooLong}.")
            .Must(p => p is null || !IsCommon(p))
            .WithMessage($"'{{PropertyName}}' {TooCommon}.");

    private static FrozenSet<string> LoadCommon()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Did.Auth.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && line[0] != '#')
                set.Add(line.ToLowerInvariant());
        return set.ToFrozenSet(StringComparer.Ordinal);
    }
}
