using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Did.Infrastructure.Auth;

/// <summary>What an API key looks like: <c>did_</c> and 43 URL-safe base64 characters (32 random bytes), 47 characters
/// in all. The service stores only its SHA-256. The secret has 256 bits of entropy, so a plain hash cannot be reversed by
/// guessing, and checking one costs a hash, not a bcrypt run. Its first 12 characters are its <see cref="Prefix"/>,
/// shown in lists so a person can tell keys apart without the secret.</summary>
public static class ApiKeySecret
{
    public const string Scheme = "did_";
    public const int RandomBytes = 32;
    public const int Length = 47; // "did_" + 43 characters of base64url without padding
    public const int PrefixLength = 12;
    public const int HashBytes = SHA256.HashSizeInBytes;

    /// <summary>A new key from the operating system's cryptographic random source.</summary>
    public static string New() => Scheme + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    public static string Prefix(string key) => key[..PrefixLength];

    /// <summary>Whether a bearer credential is meant as an API key (and so goes to the key scheme, not to JWT).</summary>
    public static bool IsKey(ReadOnlySpan<char> credential) => credential.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>The SHA-256 of a well-formed key; false, with nothing hashed, for anything else.</summary>
    public static bool TryHash(ReadOnlySpan<char> key, Span<byte> hash)
    {
        if (key.Length != Length || !IsKey(key)) return false;
        foreach (var c in key[Scheme.Length..])
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        Span<byte> ascii = stackalloc byte[Length];
        Encoding.ASCII.GetBytes(key, ascii);
        SHA256.HashData(ascii, hash);
        return true;
    }

    public static byte[] Hash(string key)
    {
        var hash = new byte[HashBytes];
        if (!TryHash(key, hash)) throw new ArgumentException("not an API key", nameof(key));
        return hash;
    }
}
