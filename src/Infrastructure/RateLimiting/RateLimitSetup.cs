using System.Globalization;
using System.Threading.RateLimiting;
using Did.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.OpenApi;

namespace Did.Infrastructure.RateLimiting;

/// <summary>ASP.NET Core's rate limiter for the whole API: per caller (API key or user), a write bucket and a read
/// bucket (<see cref="RateLimitOptions"/>), after authentication so the caller is known. Anonymous requests are not
/// counted here (they are refused by authorization, or are the sign-in and health endpoints); an endpoint with a
/// policy of its own (the sign-in's per-address limit) is counted by that policy alone.</summary>
public static class RateLimitSetup
{
    public const string WritesPolicy = "writes";
    public const string ReadsPolicy = "reads";

    public static IServiceCollection AddDidRateLimits(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RateLimitOptions>().Bind(config.GetSection("RateLimits")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, OptionsCheck>();
        services.AddSingleton<RateLimitMetrics>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>>((o, limits) =>
            {
                o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                var settings = limits.Value;
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, CallerBucket>(http => Partition(http, settings));
                o.OnRejected = RefuseAsync;
            });
        services.Configure<OpenApiOptions>("v1", o => o.AddOperationTransformer((op, ctx, _) =>
        {
            DocumentTooManyRequests(op, ctx);
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>After authentication (the caller picks the bucket), before authorization (a refused request still
    /// costs the caller a token).</summary>
    public static IApplicationBuilder UseDidRateLimits(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>One bucket: whose, for which kind of request, in which tier. The tier is part of the key, so a caller
    /// whose role changes starts on a bucket of its new tier.</summary>
    private readonly record struct CallerBucket(Guid Caller, bool Write, bool Platform);

    private static RateLimitPartition<CallerBucket> Partition(HttpContext http, RateLimitOptions settings)
    {
        var user = http.User;
        if (!settings.Enabled || user.Identity?.IsAuthenticated != true
            || http.GetEndpoint()?.Metadata is { } meta && (meta.GetMetadata<EnableRateLimitingAttribute>() is not null
                || meta.GetMetadata<DisableRateLimitingAttribute>() is not null)
            || !Guid.TryParse(user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var caller))
            return RateLimitPartition.GetNoLimiter(default(CallerBucket));

        var role = user.FindFirst(Claims.Role)?.Value;
        var platform = role is "PLATFORM_ADMIN" or "SUPPORT";
        var write = !IsRead(http.Request.Method);
        var tier = platform ? settings.Platform : settings.Tenant;
        var (perMinute, burst) = write ? (tier.WritesPerMinute, tier.WriteBurst) : (tier.ReadsPerMinute, tier.ReadBurst);
        var bucket = new CallerBucket(caller, write, platform);
        if (perMinute == 0) return RateLimitPartition.GetNoLimiter(bucket);
        return RateLimitPartition.GetTokenBucketLimiter(bucket, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = 0,
        });
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    /// <summary>429 problem+json with <c>Retry-After</c>: the seconds until the caller's bucket holds a token again.</summary>
    private static async ValueTask RefuseAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var write = !IsRead(http.Request.Method);
        http.RequestServices.GetRequiredService<RateLimitMetrics>().Rejected(write ? WritesPolicy : ReadsPolicy, http);
        var seconds = RetryAfterSeconds(context.Lease);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var kind = write ? "writes" : "reads";
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This API key or user has made too many {kind} for now; try again in {seconds} seconds.",
                Extensions = { ["retry_after_seconds"] = seconds, ["limit"] = kind },
            },
        });
    }

    /// <summary>Whole seconds, at least one: <c>Retry-After</c> has no finer unit.</summary>
    public static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;

    /// <summary>Every operation the per-caller limits apply to (those that need a credential) says it may answer 429, and
    /// every 429 says it carries <c>Retry-After</c>.</summary>
    private static void DocumentTooManyRequests(OpenApiOperation op, OpenApiOperationTransformerContext ctx)
    {
        var meta = ctx.Description.ActionDescriptor.EndpointMetadata;
        var limited = meta.OfType<IAuthorizeData>().Any() && !meta.OfType<IAllowAnonymous>().Any()
            && !meta.OfType<EnableRateLimitingAttribute>().Any() && !meta.OfType<DisableRateLimitingAttribute>().Any();
        op.Responses ??= new OpenApiResponses();
        if (limited && !op.Responses.ContainsKey("429"))
            op.Responses["429"] = new OpenApiResponse
            {
                Description = TooManyRequestsDescription(ctx.ApplicationServices.GetRequiredService<IOptions<RateLimitOptions>>().Value),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), ctx.Document) },
                },
            };
        if (op.Responses.TryGetValue("429", out var tooMany) && tooMany is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
            };
        }
    }

    /// <summary>The limits in force, as the document states them to a client.</summary>
    private static string TooManyRequestsDescription(RateLimitOptions o)
    {
        static string Bucket(int burst, int perMinute, string what) =>
            perMinute == 0 ? $"{what} unlimited" : $"{what} {burst:N0} at once, then {perMinute:N0} a minute";
        static string Tier(CallerLimits l) =>
            $"{Bucket(l.WriteBurst, l.WritesPerMinute, "writes")}; {Bucket(l.ReadBurst, l.ReadsPerMinute, "reads")}";
        return "Too many requests: this API key's or user's allowance is spent for now; retry after the seconds in Retry-After. "
            + (o.Enabled
                ? $"Each API key and each user has a token bucket for writes and one for reads. Tenant roles: {Tier(o.Tenant)}. "
                  + $"Platform roles: {Tier(o.Platform)}."
                : "Per-caller limits are off on this service.");
    }

    private sealed class OptionsCheck : IValidateOptions<RateLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, RateLimitOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
