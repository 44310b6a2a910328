using System.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Did.Infrastructure.Errors;

public static class ProblemSetup
{
    /// <summary>problem+json for every error, including the empty 401/403/404/405 that the framework produces,
    /// each carrying the trace id that is also in the logs and the audit row.</summary>
    public static IServiceCollection AddDidProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions.Remove("traceId");
            c.ProblemDetails.Extensions["trace_id"] = Activity.Current?.TraceId.ToString() ?? c.HttpContext.TraceIdentifier;
            c.ProblemDetails.Extensions["request_id"] = c.HttpContext.TraceIdentifier;
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            if (c.ProblemDetails.Status == StatusCodes.Status429TooManyRequests) // the framework's defaults know no type for it
                c.ProblemDetails.Type ??= "https://tools.ietf.org/html/rfc6585#section-4";
            // The document promises type and title on every problem; a status the framework knows no type for gets
            // RFC 9457's default.
            c.ProblemDetails.Type ??= "about:blank";
            c.ProblemDetails.Title ??= Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(c.ProblemDetails.Status ?? 500);
            if (c.ProblemDetails.Detail is null)
            {
                c.ProblemDetails.Detail = c.ProblemDetails.Status switch
                {
                    401 => "A valid bearer token is required.",
                    403 => "Your role does not allow this operation.",
                    404 => "No such resource.",
                    405 => "This method is not allowed on this resource.",
                    415 => "Unsupported content type.",
                    _ => c.ProblemDetails.Title,
                };
            }
        });
        // After the framework's writer, which writes only for an Accept that takes JSON: this one takes the rest.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }

    /// <summary>The API has one error format. A request whose Accept names no JSON type (a browser's text/html) still
    /// gets problem+json, shaped as the framework's writer shapes it; without this, its errors lost their body and an
    /// error raised as an exception (a missing object's 404) became a 500.</summary>
    private sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            var problem = context.ProblemDetails;
            problem.Status ??= context.HttpContext.Response.StatusCode;
            _ = TypedResults.Problem(problem); // fills type and title for the status, as the framework's writer does
            options.Value.CustomizeProblemDetails?.Invoke(context);
            return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, "application/problem+json"));
        }
    }
}
