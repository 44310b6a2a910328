using System.Net;
using ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders;

namespace Did.Infrastructure.Http;

/// <summary>Whose address a request comes from. By default, the socket's peer: a client cannot choose it. Behind a
/// reverse proxy every request would come from the proxy, so <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
/// honoured, but only from the proxies listed in <c>ForwardedHeaders:KnownProxies</c> (addresses) and
/// <c>ForwardedHeaders:KnownNetworks</c> (CIDR ranges), each a list or one comma-separated value; with neither set,
/// the headers are ignored. The sign-in limits
/// and the audit log's source address read the result.</summary>
public static class ForwardedHeadersSetup
{
    public static IServiceCollection AddDidForwardedHeaders(this IServiceCollection services, IConfiguration config)
    {
        var proxies = List(config.GetSection("ForwardedHeaders:KnownProxies"));
        var networks = List(config.GetSection("ForwardedHeaders:KnownNetworks"));
        var known = proxies.Select(p => IPAddress.TryParse(p, out var a) ? a
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{p}' is not an IP address.")).ToList();
        var ranges = networks.Select(n => IPNetwork.TryParse(n, out var r) ? r
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{n}' is not a CIDR range (e.g. 10.0.0.0/8).")).ToList();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = known.Count + ranges.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
            // The framework trusts loopback by default; only what is configured is trusted here.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var a in known) o.KnownProxies.Add(a);
            foreach (var r in ranges) o.KnownIPNetworks.Add(r);
            // Walk back through X-Forwarded-For while each hop is a trusted proxy (a chain of them works); the first
            // address not in the lists is the client.
            o.ForwardLimit = null;
        });
        return services;
    }

    private static string[] List(IConfigurationSection section) =>
        section.Value is { } one
            ? one.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : section.Get<string[]>() ?? [];

    public static IApplicationBuilder UseDidForwardedHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();
}
