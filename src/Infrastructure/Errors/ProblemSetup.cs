using System.Diagnostics;

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
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }
}
