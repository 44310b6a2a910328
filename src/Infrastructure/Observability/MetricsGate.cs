using Microsoft.AspNetCore.Mvc;

namespace Did.Infrastructure.Observability;

/// <summary>In front of the Prometheus exporter on <c>/metrics</c>: refuses a scrape without the metrics key when one is
/// configured (401 problem+json, as every other refusal), then refreshes the gauges read from the database.</summary>
public sealed class MetricsGate(RequestDelegate next, MetricsSettings settings, ScrapeGauges gauges, IProblemDetailsService problems)
{
    private const string BearerPrefix = "Bearer ";

    public async Task InvokeAsync(HttpContext http)
    {
        if (!settings.Admits(PresentedKey(http)))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized",
                    Detail = "Scraping /metrics needs the metrics key: send it as 'Authorization: Bearer <key>'.",
                },
            });
            return;
        }
        await gauges.RefreshAsync(http.RequestAborted);
        await next(http);
    }

    private static string? PresentedKey(HttpContext http) =>
        http.Request.Headers.Authorization.ToString() is var value && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? value[BearerPrefix.Length..].Trim()
            : null;
}
