namespace Did.Infrastructure.Auth;

/// <summary>Bound from the <c>Auth</c> section (env: <c>Auth__TokenLifetimeMinutes</c>...). The signing key comes
/// from <c>DID_JWT_KEY</c> and is required.</summary>
public sealed class AuthOptions
{
    public int TokenLifetimeMinutes { get; set; } = 15;
    public int BcryptWorkFactor { get; set; } = 12;
    public int MaxFailedLogins { get; set; } = 5;
    public int LockoutMinutes { get; set; } = 15;
    public string Issuer { get; set; } = "did";
    public string Audience { get; set; } = "did-api";
}
