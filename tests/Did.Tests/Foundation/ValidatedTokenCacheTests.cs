using System.Security.Claims;
using System.Text;
using Did.Infrastructure.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Unit tests of the validated-token cache: what it keeps, for how long, and what it never keeps.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly JwtKey Key = new(Encoding.UTF8.GetBytes("unit-test-signing-key-that-is-long-enough-0123"));
    private static readonly AuthOptions Options = new() { TokenLifetimeMinutes = 15 };

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The real JWT handler, counting how often the cache had to ask it.</summary>
    private sealed class CountingHandler : TokenHandler
    {
        private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };
        public int Calls;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters p)
        {
            Interlocked.Increment(ref Calls);
            return _inner.ValidateTokenAsync(token, p);
        }
    }

    private static TokenValidationParameters Parameters => new()
    {
        ValidIssuer = Options.Issuer,
        ValidAudience = Options.Audience,
        IssuerSigningKey = Key.Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
    };

    private static string Token(Guid? user = null) =>
        new TokenIssuer(Key, Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System)
            .Issue(user ?? Guid.NewGuid(), Role.TenantAdmin, Guid.NewGuid(), Guid.NewGuid()).Token;

    private static (ValidatedTokenCache Cache, CountingHandler Inner, ManualClock Clock) Cache(int capacity = 100)
    {
        var inner = new CountingHandler();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        return (new ValidatedTokenCache(inner, capacity, clock), inner, clock);
    }

    [Test]
    public async Task A_valid_token_is_validated_once_and_then_served_from_memory_with_the_same_claims()
    {
        var (cache, inner, _) = Cache();
        var user = Guid.NewGuid();
        var token = Token(user);
        var first = await cache.ValidateTokenAsync(token, Parameters);
        var second = await cache.ValidateTokenAsync(token, Parameters);
        Assert.Multiple(() =>
        {
            Assert.That(first.IsValid && second.IsValid, Is.True);
            Assert.That(inner.Calls, Is.EqualTo(1));
            Assert.That(second.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, Is.EqualTo(user.ToString()));
            Assert.That(second.ClaimsIdentity.FindFirst(Claims.Role)?.Value, Is.EqualTo("TENANT_ADMIN"));
            Assert.That(second.SecurityToken, Is.InstanceOf<JsonWebToken>());
        });
    }

    [Test]
    public async Task Each_request_gets_its_own_copy_of_the_identity()
    {
        var (cache, _, _) = Cache();
        var token = Token();
        await cache.ValidateTokenAsync(token, Parameters);
        var a = (await cache.ValidateTokenAsync(token, Parameters)).ClaimsIdentity;
        var b = (await cache.ValidateTokenAsync(token, Parameters)).ClaimsIdentity;
        a.AddClaim(new Claim(Claims.Role, "PLATFORM_ADMIN"));
        Assert.Multiple(() =>
        {
            Assert.That(a, Is.Not.SameAs(b));
            Assert.That(b.FindAll(Claims.Role).Select(c => c.Value), Is.EqualTo(new[] { "TENANT_ADMIN" }));
        });
    }

    [Test]
    public async Task A_token_with_a_bad_signature_is_refused_every_time_and_never_cached()
    {
        var (cache, inner, _) = Cache();
        var token = Token();
        await cache.ValidateTokenAsync(token, Parameters);
        var forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        var first = await cache.ValidateTokenAsync(forged, Parameters);
        var second = await cache.ValidateTokenAsync(forged, Parameters);
        Assert.Multiple(() =>
        {
            Assert.That(first.IsValid || second.IsValid, Is.False);
            Assert.That(inner.Calls, Is.EqualTo(3));
            Assert.That(cache.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_cached_token_is_validated_again_once_it_has_expired()
    {
        var (cache, inner, clock) = Cache();
        var token = Token();
        await cache.ValidateTokenAsync(token, Parameters);
        clock.Now = clock.Now.AddMinutes(Options.TokenLifetimeMinutes).AddSeconds(1);
        await cache.ValidateTokenAsync(token, Parameters);
        Assert.That(inner.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task A_full_cache_drops_expired_tokens_and_validates_the_rest_every_time_rather_than_grow()
    {
        var (cache, inner, clock) = Cache(capacity: 2);
        await cache.ValidateTokenAsync(Token(), Parameters);
        await cache.ValidateTokenAsync(Token(), Parameters);
        var third = Token();
        await cache.ValidateTokenAsync(third, Parameters);
        await cache.ValidateTokenAsync(third, Parameters);
        Assert.Multiple(() =>
        {
            Assert.That(cache.Count, Is.EqualTo(2));
            Assert.That(inner.Calls, Is.EqualTo(4), "full of live tokens: the third is validated each time");
        });

        // Once the first two have expired, a new token finds room. (The inner handler's lifetime check reads the real
        // clock, so it is off here; the cache's own expiry reads the manual one.)
        clock.Now = clock.Now.AddMinutes(Options.TokenLifetimeMinutes).AddSeconds(1);
        var later = new TokenIssuer(Key, Microsoft.Extensions.Options.Options.Create(Options), clock)
            .Issue(Guid.NewGuid(), Role.TenantAdmin, Guid.NewGuid(), Guid.NewGuid()).Token;
        var p = Parameters;
        p.ValidateLifetime = false;
        await cache.ValidateTokenAsync(later, p);
        await cache.ValidateTokenAsync(later, p);
        Assert.Multiple(() =>
        {
            Assert.That(cache.Count, Is.EqualTo(1), "the expired two are gone, the new one is kept");
            Assert.That(inner.Calls, Is.EqualTo(5));
        });
    }

    [Test]
    public async Task A_capacity_of_zero_turns_the_cache_off()
    {
        var (cache, inner, _) = Cache(capacity: 0);
        var token = Token();
        await cache.ValidateTokenAsync(token, Parameters);
        await cache.ValidateTokenAsync(token, Parameters);
        Assert.Multiple(() =>
        {
            Assert.That(inner.Calls, Is.EqualTo(2));
            Assert.That(cache.Count, Is.EqualTo(0));
        });
    }
}
