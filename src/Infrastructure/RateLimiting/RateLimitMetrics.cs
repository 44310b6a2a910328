using System.Diagnostics.Metrics;

namespace Did.Infrastructure.RateLimiting;

/// <summary>The counter of requests refused with 429 by any rate limit, <c>did.rate_limit.rejections</c> on the meter
/// <see cref="MeterName"/>, tagged with the limit (<c>policy</c>: writes, reads, sign-in, api-key-lookups) and the
/// route template (<c>route</c>, never the path, so the series stay few). A metrics exporter adds the meter by name.</summary>
public sealed class RateLimitMetrics
{
    public const string MeterName = "Did.RateLimiting";
    public const string RejectionsName = "did.rate_limit.rejections";

    private readonly Counter<long> _rejections;

    public RateLimitMetrics(IMeterFactory meters) =>
        _rejections = meters.Create(MeterName).CreateCounter<long>(RejectionsName, "{request}", "Requests refused with 429 by a rate limit.");

    public void Rejected(string policy, HttpContext http) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("policy", policy),
            new KeyValuePair<string, object?>("route", (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched"));
}
