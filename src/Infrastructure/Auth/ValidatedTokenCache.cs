using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Did.Infrastructure.Auth;

/// <summary>Validates a bearer token once, then serves the same token from memory until it expires. A client sends one
/// token with every request for its whole lifetime, and validating it again (split, base64, JSON, HMAC, claims) was the
/// largest single cost of a cheap request after the sockets. What is cached is only the outcome of checks that cannot
/// change while the key stays the same: signature, issuer, audience, algorithm. Lifetime is checked on every hit (an
/// entry ends at the token's own expiry, with no clock skew), and the user's security stamp is still checked on every
/// request by the handler's TokenValidated event, so a deleted or changed user loses access at once either way.
/// Failed validations are never cached. Each request gets its own copy of the identity, so nothing one request does
/// to its principal is seen by another.</summary>
public sealed class ValidatedTokenCache(TokenHandler inner, int capacity, TimeProvider clock) : TokenHandler
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _sweeping;

    private sealed record Entry(ClaimsIdentity Identity, SecurityToken Token, string? Issuer, DateTime ExpiresUtc);

    public int Count => _entries.Count;

    internal bool Holds(string token) => _entries.ContainsKey(token);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_entries.TryGetValue(token, out var hit))
        {
            if (now < hit.ExpiresUtc)
                return new TokenValidationResult
                {
                    IsValid = true,
                    ClaimsIdentity = hit.Identity.Clone(),
                    SecurityToken = hit.Token,
                    Issuer = hit.Issuer,
                };
            _entries.TryRemove(token, out _);
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && capacity > 0 && result.SecurityToken is JsonWebToken { ValidTo: var validTo } && validTo > now)
        {
            if (_entries.Count >= capacity) Sweep(now);
            if (_entries.Count < capacity)
                _entries[token] = new Entry(result.ClaimsIdentity.Clone(), result.SecurityToken, result.Issuer, validTo);
        }
        return result;
    }

    /// <summary>Drops expired entries when the cache is full. Still full after that (more live tokens than the capacity,
    /// e.g. a login storm): new tokens are validated every time instead of growing memory without bound.</summary>
    private void Sweep(DateTime now)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        try
        {
            foreach (var (key, entry) in _entries)
                if (entry.ExpiresUtc <= now) _entries.TryRemove(key, out _);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
