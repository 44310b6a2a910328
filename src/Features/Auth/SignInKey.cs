using System.Net;
using System.Security.Cryptography;
using System.Text;
using Did.Infrastructure.Http;

namespace Did.Features.Auth;

/// <summary>What sign-in attempts are counted by: the source network they come from and the email they name.</summary>
/// <param name="Network">The source as <c>inet</c> text: an IPv4 address (/32) or an IPv6 /64.</param>
/// <param name="Account">SHA-256 of the lower-cased email, whether or not such an account exists.</param>
public sealed record SignInKey(string Network, byte[] Account)
{
    public static SignInKey For(IPAddress? source, string email) =>
        new(NetworkOf(source), SHA256.HashData(Encoding.UTF8.GetBytes(email)));

    /// <summary>The source network attempts are counted by (<see cref="ClientNetwork.Of"/>).</summary>
    public static string NetworkOf(IPAddress? source) => ClientNetwork.Of(source);
}
