using System.Text;
using Did.Infrastructure.Validation;

namespace Did.Infrastructure.Auth;

/// <summary>The one spelling of an email the service stores and looks up: trimmed and composed (NFC), so an address
/// typed with decomposed accents is the account it looks like, not a second one. Case stays as given; the database
/// compares <c>lower(email)</c> on both sides (ux_users_email), never a lower case computed here, since .NET and
/// PostgreSQL lower some letters differently (İ).</summary>
public static class EmailAddress
{
    public static string Canonical(string email) => email.Trim().Normalize(NormalizationForm.FormC);

    /// <summary>Zero-width spaces, direction overrides, soft hyphens and their kin, joiners included
    /// (<see cref="InvisibleCharacters"/>): an address holding one looks like another account's and cannot be typed.</summary>
    public static bool HasInvisible(string email) => InvisibleCharacters.First(email, allowJoiners: false) is not null;
}
