using System.Diagnostics;
using Did.Features.Apply;
using Did.Features.Dids;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Did.Infrastructure.Observability;

/// <summary>Metrics on <c>GET /metrics</c> (Prometheus text) and traces over OTLP, both through OpenTelemetry; each
/// off unless configured (<see cref="MetricsSettings"/>, <see cref="TracingSettings"/>). What a request pays:
/// with metrics on, ASP.NET Core's duration histogram and active-request counter, and per database command Npgsql's
/// duration histogram (its per-command "executing" counter is dropped); everything else is counted per apply, per AMI
/// connection or per import, or read only when scraped. With tracing off nothing listens to the activity sources, so
/// no span is made.</summary>
public static class ObservabilitySetup
{
    public const string MetricsPath = "/metrics";

    /// <summary>The service's meters, and any other whose name starts with "Did" or "did" (the match ignores case):
    /// e.g. the rate limiter's <c>did.rate_limit.rejections</c>. Drift checks (issue 19) are to count their results
    /// on <see cref="DidMeter.Shared"/> as <c>did.drift.checks</c>; until they exist no series stands in for them.</summary>
    private const string DidMeters = "Did*";

    private const string ServiceName = "did";

    public static WebApplicationBuilder AddDidObservability(this WebApplicationBuilder builder)
    {
        var metrics = MetricsSettings.From(builder.Configuration);
        var tracing = TracingSettings.From(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(metrics);
        if (!tracing.TrustTraceParent) services.AddSingleton<DistributedContextPropagator>(FreshTraceContext.Instance);
        if (!metrics.Enabled && !tracing.Enabled) return builder;

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName));
        if (metrics.Enabled)
        {
            services.AddSingleton<ScrapeGauges>();
            services.AddSingleton<IScrapeGauge, LastApplyGauge>();
            services.AddSingleton<IScrapeGauge, NumberStatusGauge>();
            otel.WithMetrics(m => m
                .AddMeter(DidMeters)
                .AddMeter("Microsoft.AspNetCore.Hosting")
                .AddNpgsqlInstrumentation()
                .AddView("db.client.operation.npgsql.executing", MetricStreamConfiguration.Drop)
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        }
        if (tracing.Enabled)
        {
            // OpenTelemetry's ASP.NET Core instrumentation reads traceparent itself unless the propagator is W3C's
            // alone; the host's activity, started by FreshTraceContext, is then the request's span.
            if (!tracing.TrustTraceParent) Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
            otel.WithTracing(t => t
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(tracing.SampleRatio)))
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddNpgsql()
                .AddSource(ApplyTelemetry.SourceName)
                .AddOtlpExporter());
        }
        return builder;
    }

    /// <summary>First in the pipeline: the request id becomes the trace id before anything logs or answers.</summary>
    public static IApplicationBuilder UseDidTraceRequestId(this IApplicationBuilder app) => app.UseMiddleware<TraceRequestId>();

    /// <summary>Maps <c>GET /metrics</c> when metrics are on; otherwise the path is a 404 like any unknown one.</summary>
    public static IEndpointRouteBuilder MapDidMetrics(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<MetricsSettings>().Enabled) return app;
        app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: b => b.UseMiddleware<MetricsGate>(),
                optionsName: null)
            .AllowAnonymous()
            .WithDisplayName("GET /metrics");
        return app;
    }
}
