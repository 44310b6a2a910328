using System.Security.Claims;
using System.Text;
using Did.Infrastructure.Hosting;
using Did.Infrastructure.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Did.Infrastructure.Auth;

public sealed class JwtKey(byte[] bytes)
{
    public SymmetricSecurityKey Key { get; } = new(bytes);

    /// <summary>The service refuses to start without a key of at least 256 bits: a default key would be a shared secret.</summary>
    public static JwtKey FromConfiguration(IConfiguration config)
    {
        var raw = config["DID_JWT_KEY"];
        if (string.IsNullOrWhiteSpace(raw))
            throw new InvalidSettingException("DID_JWT_KEY is not set: the service needs a JWT signing key of at least 32 bytes. " +
                "Set it, e.g. DID_JWT_KEY=\"$(openssl rand -base64 48)\" (./scripts/run.sh keeps one in .data/jwt.key).");
        var bytes = Encoding.UTF8.GetBytes(raw);
        if (bytes.Length < 32)
            throw new InvalidSettingException($"DID_JWT_KEY is too short ({bytes.Length} bytes): use at least 32 bytes, " +
                "e.g. DID_JWT_KEY=\"$(openssl rand -base64 48)\".");
        return new JwtKey(bytes);
    }
}

/// <summary>Issues short-lived HS256 tokens carrying the user's id, role, tenant and security stamp.</summary>
public sealed class TokenIssuer(JwtKey key, IOptions<AuthOptions> options, TimeProvider clock)
{
    public (string Token, int ExpiresIn) Issue(Guid userId, Role role, Guid? tenantId, Guid stamp)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = userId.ToString(),
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
            [Claims.Role] = ApiJson.Name(role),
            [Claims.Stamp] = stamp.ToString(),
        };
        if (tenantId is { } t) claims[Claims.Tenant] = t.ToString();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = o.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(o.TokenLifetimeMinutes),
            Claims = claims,
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, o.TokenLifetimeMinutes * 60);
    }
}
