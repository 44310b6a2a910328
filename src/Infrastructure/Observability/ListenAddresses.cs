using System.Net;

namespace Did.Infrastructure.Observability;

/// <summary>Whether every address the service is configured to listen on is a loopback one, as Kestrel chooses them:
/// <c>Kestrel:Endpoints:*:Url</c> when any is configured, else <c>urls</c> (ASPNETCORE_URLS, --urls, or the service's
/// default http://127.0.0.1:5080), else <c>http_ports</c>/<c>https_ports</c> (every interface). A host name other than
/// <c>localhost</c> or a wildcard (<c>*</c>, <c>+</c>, 0.0.0.0, [::]) is not loopback.</summary>
public static class ListenAddresses
{
    public static bool AreLoopbackOnly(IConfiguration config)
    {
        var endpoints = config.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        if (endpoints.Count > 0) return endpoints.All(IsLoopback);
        var urls = (config["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length > 0) return urls.All(IsLoopback);
        // Ports alone bind every interface; with nothing at all Kestrel listens on localhost.
        return string.IsNullOrWhiteSpace(config["http_ports"]) && string.IsNullOrWhiteSpace(config["https_ports"]);
    }
    private static bool IsLoopback(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var rest = scheme < 0 ? url : url[(scheme + 3)..];
        var end = rest.IndexOf('/');
        var authority = end < 0 ? rest : rest[..end];
        string host;
        if (authority.StartsWith('['))
            host = authority[1..Math.Max(1, authority.IndexOf(']'))];
        else
            host = authority.LastIndexOf(':') is var colon and >= 0 ? authority[..colon] : authority;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }
}
