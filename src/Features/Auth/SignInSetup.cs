using System.Globalization;
using System.Threading.RateLimiting;
using Did.Infrastructure.Http;
using Did.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Did.Features.Auth;

public static class SignInSetup
{
    /// <summary>The rate-limiting policy of the token endpoint.</summary>
    public const string RateLimitPolicy = "sign-in";

    /// <summary>The sign-in throttle (<c>Auth:SignIn:*</c>), the pruning of its table, the client address it keys on
    /// (<c>ForwardedHeaders:*</c>) and the per-address request limit of the token endpoint.</summary>
    public static IServiceCollection AddDidSignIn(this IServiceCollection services, IConfiguration config)
    {
        var section = config.GetSection("Auth:SignIn");
        services.AddOptions<SignInOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignInOptions>, OptionsCheck>();
        services.AddSingleton<SignInThrottle>();
        services.AddHostedService<SignInThrottlePruning>();
        services.AddDidForwardedHeaders(config);

        // A first, in-memory line per address: whatever their outcome, requests past this rate are refused before they
        // cost a database round trip or a hash. The counts that matter for guessing are the database's (SignInThrottle).
        var perMinute = (section.Get<SignInOptions>() ?? new SignInOptions()).AddressRequestsPerMinute;
        services.AddRateLimiter(o => o.AddPolicy(RateLimitPolicy, new PerAddressPolicy(perMinute)));
        return services;
    }

    /// <summary>First in the pipeline: the client's address is settled (trusted proxies only) before anything reads it.
    /// The per-address limit runs with the other rate limits (RateLimitSetup.UseDidRateLimits).</summary>
    public static IApplicationBuilder UseDidSignIn(this IApplicationBuilder app) => app.UseDidForwardedHeaders();

    /// <summary>A token bucket per source network; its refusals are worded for sign-in and counted as "sign-in".</summary>
    private sealed class PerAddressPolicy(int perMinute) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RefuseAsync;

        public RateLimitPartition<string> GetPartition(HttpContext http) => perMinute <= 0
            ? RateLimitPartition.GetNoLimiter("off")
            : RateLimitPartition.GetTokenBucketLimiter(SignInKey.NetworkOf(http.Connection.RemoteIpAddress), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
                QueueLimit = 0,
            });
    }

    private static async ValueTask RefuseAsync(OnRejectedContext context, CancellationToken ct)
    {
        var seconds = RateLimitSetup.RetryAfterSeconds(context.Lease);
        var http = context.HttpContext;
        http.RequestServices.GetRequiredService<RateLimitMetrics>().Rejected(RateLimitPolicy, http);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many sign-in requests",
                Detail = $"Too many sign-in requests from this address; try again in {seconds} seconds.",
                Extensions = { ["retry_after_seconds"] = seconds },
            },
        });
    }

    private sealed class OptionsCheck : IValidateOptions<SignInOptions>
    {
        public ValidateOptionsResult Validate(string? name, SignInOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
