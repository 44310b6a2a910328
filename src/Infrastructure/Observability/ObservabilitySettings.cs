using System.Security.Cryptography;
using System.Text;
using Did.Infrastructure.Hosting;

namespace Did.Infrastructure.Observability;

/// <summary><c>GET /metrics</c>: on when <c>Metrics:Enabled</c> says so, and by default only when the service listens on
/// loopback addresses alone (<see cref="ListenAddresses"/>): the numbers are not secret, but they are not for the
/// internet either. With <c>Metrics:Key</c> set, a scrape must send it as <c>Authorization: Bearer</c>; only its hash
/// is kept.</summary>
public sealed record MetricsSettings(bool Enabled, byte[]? KeyHash)
{
    public const int MinimumKeyLength = 16;

    public static MetricsSettings From(IConfiguration config)
    {
        var enabled = config["Metrics:Enabled"] is { Length: > 0 } text
            ? bool.TryParse(text, out var e) ? e : throw new InvalidSettingException($"Metrics__Enabled must be true or false (it is '{text}').")
            : ListenAddresses.AreLoopbackOnly(config);
        var key = config["Metrics:Key"];
        if (string.IsNullOrEmpty(key)) return new MetricsSettings(enabled, null);
        if (key.Length < MinimumKeyLength)
            throw new InvalidSettingException($"Metrics__Key is too short: use at least {MinimumKeyLength} random characters, or leave it unset.");
        return new MetricsSettings(enabled, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Compares hashes in constant time, so the answer's timing says nothing about the key.</summary>
    public bool Admits(string? presented) =>
        KeyHash is null || presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), KeyHash);
}

/// <summary>Traces go out over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the exporter's other
/// standard variables: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>).
/// <c>Tracing:SampleRatio</c> (0 to 1, default 1) keeps that share of new traces; <c>Tracing:TrustTraceParent</c>
/// (default false) honours a caller's <c>traceparent</c> (<see cref="FreshTraceContext"/>).</summary>
public sealed record TracingSettings(bool Enabled, bool TrustTraceParent, double SampleRatio)
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static TracingSettings From(IConfiguration config)
    {
        var endpoint = config[EndpointVariable];
        if (!string.IsNullOrWhiteSpace(endpoint)
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            throw new InvalidSettingException($"{EndpointVariable} must be an http(s) URL such as http://127.0.0.1:4317 (it is '{endpoint}').");
        var trust = config["Tracing:TrustTraceParent"] is { Length: > 0 } t
            ? bool.TryParse(t, out var b) ? b : throw new InvalidSettingException($"Tracing__TrustTraceParent must be true or false (it is '{t}').")
            : false;
        var ratio = config.GetValue<double?>("Tracing:SampleRatio") ?? 1.0;
        if (ratio is < 0 or > 1 || double.IsNaN(ratio))
            throw new InvalidSettingException($"Tracing__SampleRatio must be between 0 and 1 (it is {ratio}).");
        return new TracingSettings(!string.IsNullOrWhiteSpace(endpoint), trust, ratio);
    }
}
