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

    /// <summary>Every answer of the endpoint is kept out of caches, whatever its status and whoever writes it (the handler,
    /// a rate limiter's refusal, the authentication challenge, the exception handler): an endpoint that takes a password
    /// answers nothing a cache may keep. <see cref="SecurityHeaders"/> sets the headers when the response starts.</summary>
    public static TBuilder KeepsAnswersOutOfCaches<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(SecretAnswers.Instance);
}

/// <summary>Endpoint metadata: every answer of this endpoint is kept out of caches.</summary>
public sealed class SecretAnswers
{
    public static readonly SecretAnswers Instance = new();

    private SecretAnswers() { }
}
