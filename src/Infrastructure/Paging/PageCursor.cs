using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;

namespace Did.Infrastructure.Paging;

/// <summary>The opaque <c>cursor</c> of every list: base64url of a version byte, a checksum, and the sort key of the last
/// item of the page before, as JSON. The checksum covers the version, the key and the list's <see cref="Scope"/> (its
/// name and filters), so a cursor that was cut, altered, or sent to another list or with other filters is refused with a
/// 400 instead of starting a page somewhere else. It is not a secret and not a permission: whatever key a cursor holds,
/// the query still applies the caller's tenant and filters, so a forged cursor can only start a page the caller may read.</summary>
public static class PageCursor
{
    private const byte Version = 1;
    private const int ChecksumLength = 8;

    public const string InvalidMessage =
        "'cursor' is not a cursor this list gave out for these filters: it is cut or altered, or the filters changed. " +
        "Send next_cursor as it came, with the same filters, or start again without 'cursor'.";

    /// <summary>A list's name and filters, in a fixed order and format, e.g. <c>dids?status=ALLOCATED&amp;provider=</c>.</summary>
    public static string Scope(string list, params ReadOnlySpan<(string Name, object? Value)> filters)
    {
        var s = new StringBuilder(list).Append('?');
        foreach (var (name, value) in filters)
        {
            var text = value switch
            {
                null => "",
                DateTimeOffset t => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            s.Append(name).Append('=').Append(Uri.EscapeDataString(text)).Append('&');
        }
        return s.ToString();
    }

    public static string Encode<TKey>(string scope, TKey key)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(key, ApiJson.Options);
        var bytes = new byte[1 + ChecksumLength + payload.Length];
        bytes[0] = Version;
        payload.CopyTo(bytes, 1 + ChecksumLength);
        Checksum(scope, payload).CopyTo(bytes.AsSpan(1, ChecksumLength));
        return Base64Url.EncodeToString(bytes);
    }

    public static bool IsValid(string scope, string cursor) => TryReadPayload(scope, cursor, out _);

    /// <summary>The key in a cursor that <see cref="IsValid"/> accepted (the validator checked it before the handler runs).</summary>
    public static TKey Decode<TKey>(string scope, string cursor) where TKey : class
    {
        if (TryReadPayload(scope, cursor, out var payload))
        {
            try
            {
                if (JsonSerializer.Deserialize<TKey>(payload, ApiJson.Options) is { } key) return key;
            }
            catch (JsonException)
            {
                // A payload this build did not write: refused below like any other.
            }
        }
        throw Problem.Invalid("cursor", InvalidMessage);
    }

    private static bool TryReadPayload(string scope, string cursor, out byte[] payload)
    {
        payload = [];
        if (cursor.Length is 0 or > Paging.MaxCursorLength) return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }
        if (bytes.Length <= 1 + ChecksumLength || bytes[0] != Version) return false;
        payload = bytes[(1 + ChecksumLength)..];
        return CryptographicOperations.FixedTimeEquals(bytes.AsSpan(1, ChecksumLength), Checksum(scope, payload));
    }

    private static byte[] Checksum(string scope, byte[] payload)
    {
        var scopeBytes = Encoding.UTF8.GetBytes(scope);
        var input = new byte[1 + scopeBytes.Length + 1 + payload.Length];
        input[0] = Version;
        scopeBytes.CopyTo(input, 1);
        payload.CopyTo(input, scopeBytes.Length + 2); // a zero byte between scope and payload: neither can run into the other
        return SHA256.HashData(input)[..ChecksumLength];
    }
}
