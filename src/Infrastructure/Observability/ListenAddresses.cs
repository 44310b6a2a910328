using System.Net;

namespace Did.Infrastructure.Observability;

/// <summary>Whether every address the service is configured to listen on is a loopback one, from the settings Kestrel
/// reads: <c>urls</c> (ASPNETCORE_URLS, --urls, or the service's default http://127.0.0.1:5080), <c>http_ports</c> and
/// <c>https_ports</c> (every interface), and <c>Kestrel:Endpoints:*:Url</c>. A host name other than <c>localhost</c>, a
/// wildcard (<c>*</c>, <c>+</c>, 0.0.0.0, [::]) or a port-only setting is not loopback.</summary>
public static class ListenAddresses
{
    public static bool AreLoopbackOnly(IConfiguration config)
    {
        if (!string.IsNullOrWhiteSpace(config["http_ports"]) || !string.IsNullOrWhiteSpace(config["https_ports"])) return false;
        var urls = (config["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(config.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();
        return urls.Count > 0 && urls.All(IsLoopback);
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
