using System.Net;
using System.Net.Sockets;

namespace Did.Infrastructure.Http;

/// <summary>The network a client address stands for, as <c>inet</c> text: what sign-in attempts and API-key use are
/// counted and remembered by.</summary>
public static class ClientNetwork
{
    /// <summary>An IPv4 address is itself (/32). An IPv6 host may use any address of its /64 (privacy addresses rotate
    /// through it), so counting single IPv6 addresses would give it a fresh allowance per request: its /64 stands for it.
    /// A request with no network address (a Unix socket without a trusted proxy in front) counts as 0.0.0.0.</summary>
    public static string Of(IPAddress? source)
    {
        if (source is null) return "0.0.0.0/32";
        if (source.IsIPv4MappedToIPv6) source = source.MapToIPv4();
        if (source.AddressFamily != AddressFamily.InterNetworkV6) return $"{source}/32";
        var bytes = source.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
