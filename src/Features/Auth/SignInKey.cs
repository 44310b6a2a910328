using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Did.Features.Auth;

/// <summary>What sign-in attempts are counted by: the source network they come from and the email they name.</summary>
/// <param name="Network">The source as <c>inet</c> text: an IPv4 address (/32) or an IPv6 /64.</param>
/// <param name="Account">SHA-256 of the lower-cased email, whether or not such an account exists.</param>
public sealed record SignInKey(string Network, byte[] Account)
{
    public static SignInKey For(IPAddress? source, string email) =>
        new(NetworkOf(source), SHA256.HashData(Encoding.UTF8.GetBytes(email)));

    /// <summary>An IPv6 host may use any address of its /64 (privacy addresses rotate through it), so counting single
    /// IPv6 addresses would give it a fresh allowance per attempt: its /64 is counted instead. A request with no
    /// network address (a Unix socket without a trusted proxy in front) counts as 0.0.0.0.</summary>
    public static string NetworkOf(IPAddress? source)
    {
        if (source is null) return "0.0.0.0/32";
        if (source.IsIPv4MappedToIPv6) source = source.MapToIPv4();
        if (source.AddressFamily != AddressFamily.InterNetworkV6) return $"{source}/32";
        var bytes = source.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
