using System.Diagnostics;

namespace Did.Infrastructure.Observability;

/// <summary>Makes the request's trace id its request id: the id in the request log line, in every problem+json
/// (<c>request_id</c> and <c>trace_id</c>) and in the audit rows is the trace an OTLP backend shows. ASP.NET Core
/// starts the request's activity whenever logging or tracing is on; without one the framework's own id stays.</summary>
public sealed class TraceRequestId(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity) http.TraceIdentifier = activity.TraceId.ToHexString();
        return next(http);
    }
}
