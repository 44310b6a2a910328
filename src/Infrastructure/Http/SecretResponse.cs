namespace Did.Infrastructure.Http;

/// <summary>Answers that carry a secret (a token, an API key's secret) must not be kept by any cache between the service
/// and the client (RFC 6749, section 5.1).</summary>
public static class SecretResponse
{
    public static void KeepOutOfCaches(this HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
