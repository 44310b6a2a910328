using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Did.Infrastructure.Http;

/// <summary>Refuses a declared body larger than the endpoint accepts before reading a byte of it.
/// Kestrel also enforces the limit on chunked bodies while they stream; this makes the answer a problem+json 413
/// on every server, the test host included.</summary>
public sealed class RequestSizeGuard(RequestDelegate next, IConfiguration config)
{
    private readonly long _default = config.GetValue<long?>("Http:MaxRequestBodyBytes") ?? 1_048_576;

    public Task InvokeAsync(HttpContext http)
    {
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? _default;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } f) f.MaxRequestBodySize = limit;
        if (limit is { } max && http.Request.ContentLength > max)
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        return next(http);
    }
}
