namespace Did.Infrastructure.Auth;

/// <summary>Bound from the <c>Auth</c> section (env: <c>Auth__TokenLifetimeMinutes</c>...). The signing key comes
/// from <c>DID_JWT_KEY</c> and is required. Sign-in throttling has its own section, <c>Auth:SignIn</c>.</summary>
public sealed class AuthOptions
{
    public int TokenLifetimeMinutes { get; set; } = 15;
    public int BcryptWorkFactor { get; set; } = 12;
    public string Issuer { get; set; } = "did";
    public string Audience { get; set; } = "did-api";

    /// <summary>Password hashes computed at once. bcrypt holds a core for its whole run, so half the cores (at least
    /// one) are left to every other request however many sign-ins arrive.</summary>
    public int HashingConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Requests that may wait for a hashing slot; one more is refused at once.</summary>
    public int HashingQueueLimit { get; set; } = 8 * Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>How long a request waits for a hashing slot before it is refused.</summary>
    public int HashingWaitMilliseconds { get; set; } = 2000;
}
