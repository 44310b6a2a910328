using Microsoft.Extensions.Options;

namespace Did.Infrastructure.Auth;

/// <summary>bcrypt: slow on purpose, so every computation takes one of the <see cref="HashingSlots"/>. The work factor
/// is configurable so the test suite can use the minimum. bcrypt reads only the first 72 bytes of a password, which is
/// why <see cref="PasswordPolicy"/> refuses longer ones.</summary>
public sealed class PasswordHasher(IOptions<AuthOptions> options, HashingSlots slots)
{
    // Verified against when the email is unknown, so a miss costs the same time as a wrong password. Built at start-up
    // (PasswordHasherWarmUp), so the first miss does not pay for building it too.
    private readonly Lazy<string> _decoy = new(() => BCrypt.Net.BCrypt.HashPassword("decoy-password", options.Value.BcryptWorkFactor));

    /// <summary>Whether the decoy hash has been built (for the start-up check and its test).</summary>
    internal bool DecoyBuilt => _decoy.IsValueCreated;

    internal void BuildDecoy() => _ = _decoy.Value;

    public async Task<string> HashAsync(string password, CancellationToken ct)
    {
        using var slot = await slots.EnterAsync(ct);
        return BCrypt.Net.BCrypt.HashPassword(PasswordPolicy.Normalize(password), options.Value.BcryptWorkFactor);
    }

    /// <summary>Whether the password matches the hash; with no hash (unknown email), false after the same work. A hash
    /// made before passwords were normalized holds the password as typed then, so a password that normalizing changes
    /// is also tried as typed.</summary>
    public async Task<bool> VerifyAsync(string password, string? hash, CancellationToken ct)
    {
        using var slot = await slots.EnterAsync(ct);
        var normalized = PasswordPolicy.Normalize(password);
        var against = hash ?? _decoy.Value;
        // Every form is checked whatever the first gives, against the decoy too: the time taken depends on what was typed
        // only, never on whether the account exists or the password matched.
        var match = BCrypt.Net.BCrypt.Verify(normalized, against);
        if (!string.Equals(normalized, password, StringComparison.Ordinal)) match |= BCrypt.Net.BCrypt.Verify(password, against);
        return hash is not null && match;
    }
}
