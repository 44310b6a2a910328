using Microsoft.Extensions.Options;

namespace Did.Infrastructure.Auth;

/// <summary>Bound from <c>Auth:ApiKeys</c> (env: <c>Auth__ApiKeys__CacheSeconds</c>...).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>How long a checked key is served from memory at most, in case a change notification is ever lost; 0 reads
    /// the database for every request. Revocation does not wait for it: every instance hears of it at commit.</summary>
    public int CacheSeconds { get; set; } = 60;

    /// <summary>Checked keys kept in memory; past it, new keys are checked against the database each time.</summary>
    public int CacheSize { get; set; } = 10_000;

    /// <summary>Checks of keys not in memory (each one a database read) one source address may make per minute, whatever
    /// their outcome; past it, 429. A key already in memory is never refused by this. 0 turns it off.</summary>
    public int LookupsPerMinute { get; set; } = 120;

    /// <summary>Keys a tenant may hold that have not expired; creating one more is a 409. Each key has its own rate-limit
    /// allowance, so without a bound a tenant admin could multiply its tenant's by creating keys. 0: no bound.</summary>
    public int MaxPerTenant { get; set; } = 100;

    /// <summary>How often the time each key was last used is written to the database.</summary>
    public int LastUsedFlushSeconds { get; set; } = 60;

    internal string? Problem() =>
        CacheSeconds < 0 || CacheSize < 0 ? "Auth:ApiKeys:CacheSeconds and CacheSize must be 0 or more."
        : LookupsPerMinute < 0 ? "Auth:ApiKeys:LookupsPerMinute must be 0 (off) or more."
        : LastUsedFlushSeconds < 1 ? "Auth:ApiKeys:LastUsedFlushSeconds must be at least 1."
        : MaxPerTenant < 0 ? "Auth:ApiKeys:MaxPerTenant must be 0 (no bound) or more."
        : null;

    internal sealed class Check : IValidateOptions<ApiKeyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ApiKeyOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
