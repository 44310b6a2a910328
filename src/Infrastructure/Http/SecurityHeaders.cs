namespace Did.Infrastructure.Http;

/// <summary>Headers every response carries, errors, the OpenAPI document and the Scalar page included.
/// <c>X-Content-Type-Options: nosniff</c>: a browser must not guess a type other than the declared one (a problem
/// echoing a client's value is JSON, never HTML). And on an endpoint marked <see cref="SecretAnswers"/>,
/// <c>Cache-Control: no-store</c> on every answer. Set when the response starts, because the exception handler clears
/// the headers before it writes its problem; the endpoint is read here, before that handler forgets it.</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
            return Task.CompletedTask;
        }, http.Response);
        if (http.GetEndpoint()?.Metadata.GetMetadata<SecretAnswers>() is not null)
            http.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).KeepOutOfCaches();
                return Task.CompletedTask;
            }, http.Response);
        return next(http);
    }
}
