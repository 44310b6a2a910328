namespace Did.Infrastructure.Http;

/// <summary>Headers every response carries, errors, the OpenAPI document and the Scalar page included.
/// <c>X-Content-Type-Options: nosniff</c>: a browser must not guess a type other than the declared one (a problem
/// echoing a client's value is JSON, never HTML). Set when the response starts, because the exception handler clears
/// the headers before it writes its problem.</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
            return Task.CompletedTask;
        }, http.Response);
        return next(http);
    }
}
