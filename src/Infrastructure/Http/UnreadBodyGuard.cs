using Did.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.Metadata;

namespace Did.Infrastructure.Http;

/// <summary>Refuses a body sent to an operation that takes none (<c>PATCH /dids/{id}/deallocate</c>, <c>POST /apply</c>,
/// any GET or DELETE), as unknown JSON properties are refused: <c>{"reason": "..."}</c> sent where nothing reads it must
/// not look accepted. An operation takes a body when its endpoint declares what it accepts (a bound body parameter, or
/// <c>Accepts</c>). An empty body (no bytes) is no body; a method the route does not have stays a 405.</summary>
public sealed class UnreadBodyGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var sent = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (sent && http.GetEndpoint() is RouteEndpoint endpoint && endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is null)
        {
            var detail = $"{request.Method} {request.Path} takes no body; send none.";
            // Named as every 400 names its field: the body as a whole is "body".
            throw new ProblemException(StatusCodes.Status400BadRequest, "Unexpected body", detail,
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["body"] = [detail] } });
        }
        return next(http);
    }
}
