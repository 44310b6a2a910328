namespace Did.Infrastructure.RateLimiting;

/// <summary>Per-caller limits, bound from <c>RateLimits</c> (env: <c>RateLimits__Tenant__WritesPerMinute</c>...). Each
/// API key, and each signed-in user, has a token bucket for writes (POST, PUT, PATCH, DELETE) and one for reads (GET,
/// HEAD, OPTIONS), in each service instance. A bucket holds up to its burst and refills at its rate; a request takes
/// one token, and with none left it is refused with 429 and <c>Retry-After</c>. The tier is the caller's role.</summary>
public sealed class RateLimitOptions
{
    /// <summary>false turns the per-caller limits off (the sign-in and key-check limits stay).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>TENANT_ADMIN and USER callers: tenants' people and scripts, who share the service with every other tenant.</summary>
    public CallerLimits Tenant { get; set; } = new() { WritesPerMinute = 3_000, WriteBurst = 100, ReadsPerMinute = 6_000, ReadBurst = 200 };

    /// <summary>PLATFORM_ADMIN and SUPPORT callers: the operator's own people and tools. Set above what one instance can
    /// serve, so that the operator's bulk work (and bench/assign.sh, which runs as the platform admin) never meets it;
    /// it only stops a runaway loop from holding an instance alone for long.</summary>
    public CallerLimits Platform { get; set; } = new() { WritesPerMinute = 600_000, WriteBurst = 20_000, ReadsPerMinute = 600_000, ReadBurst = 20_000 };

    internal string? Problem() => Tenant.Problem("RateLimits:Tenant") ?? Platform.Problem("RateLimits:Platform");
}

/// <summary>The two buckets of one caller.</summary>
public sealed class CallerLimits
{
    /// <summary>Tokens added per minute to the write bucket; 0 turns the write limit off.</summary>
    public int WritesPerMinute { get; set; }

    /// <summary>The most writes a caller may make at once after a quiet spell.</summary>
    public int WriteBurst { get; set; }

    public int ReadsPerMinute { get; set; }

    public int ReadBurst { get; set; }

    internal string? Problem(string section) =>
        WritesPerMinute < 0 || ReadsPerMinute < 0 || WritesPerMinute > 6_000_000 || ReadsPerMinute > 6_000_000
            ? $"{section}:WritesPerMinute and ReadsPerMinute must be 0 (off) to 6000000."
        : (WritesPerMinute > 0 && WriteBurst < 1) || (ReadsPerMinute > 0 && ReadBurst < 1)
            ? $"{section}:WriteBurst and ReadBurst must be at least 1 where the rate is not 0."
        : null;
}
