using Microsoft.Extensions.Options;

namespace Did.Infrastructure.Auth;

/// <summary>bcrypt: slow on purpose. The work factor is configurable so the test suite can use the minimum.</summary>
public sealed class PasswordHasher(IOptions<AuthOptions> options)
{
    // Verified against when the email is unknown, so a miss costs the same time as a wrong password.
    private readonly Lazy<string> _decoy = new(() => BCrypt.Net.BCrypt.HashPassword("decoy-password", options.Value.BcryptWorkFactor));

    public string Hash(string password) => BCrypt.Net.BCrypt.HashPassword(password, options.Value.BcryptWorkFactor);

    public bool Verify(string password, string? hash) =>
        hash is null
            ? BCrypt.Net.BCrypt.Verify(password, _decoy.Value) && false
            : BCrypt.Net.BCrypt.Verify(password, hash);
}
