using System.Diagnostics;

namespace Did.Infrastructure.Logging;

/// <summary>One Information line per request, written when the response is done: method, route template (never the raw
/// path, which holds ids and whatever a client typed), status, duration in milliseconds and the request id that
/// problem responses and audit rows carry. Off, at the cost of one check per request, when the category
/// <see cref="Category"/> is below Information. First in the pipeline, so that it covers everything after it.</summary>
public sealed partial class RequestLog(RequestDelegate next, ILoggerFactory loggers)
{
    public const string Category = "Did.Requests";

    /// <summary>nginx's status for a client that went away before the response was complete.</summary>
    private const int ClientClosedRequest = 499;

    private readonly ILogger _log = loggers.CreateLogger(Category);

    public Task InvokeAsync(HttpContext http) => _log.IsEnabled(LogLevel.Information) ? LogAsync(http) : next(http);

    private async Task LogAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        // Read before the pipeline runs: the exception handler clears the endpoint when it turns an error into a problem.
        var route = RouteOf(http);
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(http);
            status = http.Response.StatusCode;
        }
        catch when (http.RequestAborted.IsCancellationRequested)
        {
            status = ClientClosedRequest;
            throw;
        }
        finally
        {
            Completed(_log, http.Request.Method, route ?? RouteOf(http) ?? "-", status,
                Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2), http.TraceIdentifier);
        }
    }

    private static string? RouteOf(HttpContext http) => (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;

    [LoggerMessage(EventId = 1, EventName = "RequestCompleted", Level = LogLevel.Information,
        Message = "{Method} {Route} {Status} {DurationMs} ms {RequestId}")]
    private static partial void Completed(ILogger log, string method, string route, int status, double durationMs, string requestId);
}
