using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.Json;
using Did.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Did.Infrastructure.Auth;

/// <summary>The scheme of <c>Authorization: Bearer did_...</c>. A key acts as itself: its id is the actor of what it
/// does (audit rows, apply jobs), with its role and tenant, through the same policies and tenant filters as a signed-in
/// user of that role.
/// <para>A key in memory costs a SHA-256 and a dictionary read. A key not in memory costs one indexed database read,
/// and such reads are limited per source network (<see cref="ApiKeyOptions.LookupsPerMinute"/>), so guessing keys
/// cannot turn into a flood of database reads; a key in memory is never refused by that limit.</para>
/// <para>Unknown, revoked and expired keys, and anything that is not a well-formed key, all fail the same way: the same
/// 401, body and <c>WWW-Authenticate</c> header as an invalid token. The secret is compared only as its SHA-256,
/// inside the database's index or a dictionary, so the time taken says nothing about any stored secret.</para></summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyLookup keys, ApiKeyUsage usage, ApiKeyLookupLimiter lookups, RateLimitMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string Invalid = "invalid API key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadBearer(Request.Headers.Authorization.ToString(), out var presented)) return AuthenticateResult.NoResult();
        var hash = new byte[ApiKeySecret.HashBytes];
        if (!ApiKeySecret.TryHash(presented, hash)) return AuthenticateResult.Fail(Invalid);

        var network = ClientNetwork.Of(Context.Connection.RemoteIpAddress);
        if (!keys.TryGetCached(hash, out var key))
        {
            using (var lease = lookups.Acquire(network))
                if (!lease.IsAcquired)
                {
                    metrics.Rejected(ApiKeyLookupLimiter.Policy, Context);
                    throw TooManyLookups(lease);
                }
            key = await keys.LoadAsync(hash, Context.RequestAborted);
        }
        if (key is null || !await usage.RecordAsync(key, network, Context, Context.RequestAborted))
            return AuthenticateResult.Fail(Invalid);

        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, key.Id.ToString()),
            new(Claims.Role, ApiJson.Name(key.Role)),
        };
        if (key.TenantId is { } tenant) claims.Add(new Claim(Claims.Tenant, tenant.ToString()));
        var identity = new ClaimsIdentity(claims, SchemeName, JwtRegisteredClaimNames.Sub, Claims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>As the JWT scheme answers a bad token, so that a key's 401 looks like any other.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return Task.CompletedTask;
    }

    /// <summary>The credential of <c>Bearer did_...</c> (the scheme name in any case, as RFC 6750 allows).</summary>
    public static bool TryReadBearer(string header, out string credential)
    {
        credential = "";
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)) return false;
        credential = header[bearer.Length..].Trim();
        return ApiKeySecret.IsKey(credential);
    }

    private static ProblemException TooManyLookups(RateLimitLease lease)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        return new ProblemException(StatusCodes.Status429TooManyRequests, "Too many API key checks",
            $"Too many checks of API keys from this address; try again in {seconds.ToString(CultureInfo.InvariantCulture)} seconds.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
    }
}

/// <summary>Checks of keys not in memory, per source network (<see cref="ApiKeyOptions.LookupsPerMinute"/>).</summary>
public sealed class ApiKeyLookupLimiter : IDisposable
{
    /// <summary>The name rejections are counted under (<see cref="RateLimitMetrics"/>).</summary>
    public const string Policy = "api-key-lookups";

    private readonly PartitionedRateLimiter<string> _limiter;

    public ApiKeyLookupLimiter(IOptions<ApiKeyOptions> options)
    {
        var perMinute = options.Value.LookupsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(network => perMinute <= 0
            ? RateLimitPartition.GetNoLimiter("off")
            : RateLimitPartition.GetTokenBucketLimiter(network, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
                QueueLimit = 0,
            }));
    }

    public RateLimitLease Acquire(string network) => _limiter.AttemptAcquire(network);

    public void Dispose() => _limiter.Dispose();
}
