using System.Text.Json;
using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Infrastructure.Errors;

/// <summary>The single place where exceptions become problem+json. Anything a client can cause maps to 4xx;
/// only our own bugs and outages are 500/503, and those never echo internals.</summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            http.Response.StatusCode = 499; // client went away; nobody reads a body
            return true;
        }

        var problem = exception is DialplanException refused ? RefusedRender(http, refused) : ToProblem(exception);
        // A ProblemException is an answer the service chose (a 503 while busy hashing passwords), not a fault: a flood
        // of them must not flood the log with stack traces.
        if (problem.Status >= 500 && exception is not ProblemException)
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);

        http.Response.StatusCode = problem.Status ?? 500;
        if (problem.Extensions.TryGetValue("retry_after_seconds", out var retry) && retry is int seconds)
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Logged whole for the operators; answered with what the caller may see (<see cref="DialplanRefusal"/>).</summary>
    private ProblemDetails RefusedRender(HttpContext http, DialplanException refused)
    {
        log.LogWarning("Dialplan not rendered on {Method} {Path}: {Problems}", http.Request.Method, http.Request.Path, string.Join("; ", refused.Messages));
        var caller = http.RequestServices.GetService<RequestContext>();
        return DialplanRefusal.ToProblem(refused, caller?.Role, caller?.TenantId);
    }

    public static ProblemDetails ToProblem(Exception exception) => exception switch
    {
        ProblemException p => FromProblemException(p),
        ValidationException v => Validation(v),
        BadHttpRequestException b => BadRequest(b),
        JsonException j => MalformedJson(j),
        PostgresException pg when ConstraintMessages.ToProblem(pg) is { } mapped => FromProblemException(mapped),
        NpgsqlException { IsTransient: true } => Simple(503, "Service unavailable", "The database is not reachable right now; retry later."),
        _ => Simple(500, "Internal server error", "An unexpected error occurred. It has been logged with the trace id."),
    };

    private static ProblemDetails FromProblemException(ProblemException p)
    {
        var pd = Simple(p.Status, p.Title, p.Detail);
        foreach (var (k, v) in p.Extensions) pd.Extensions[k] = v;
        return pd;
    }

    private static ProblemDetails Validation(ValidationException v)
    {
        var errors = v.Errors
            .GroupBy(e => e.PropertyName)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        var pd = Simple(400, "One or more validation errors occurred.", string.Join(" ", errors.SelectMany(e => e.Value)));
        pd.Extensions["errors"] = errors;
        return pd;
    }

    private static ProblemDetails BadRequest(BadHttpRequestException b)
    {
        if (b.StatusCode == StatusCodes.Status413PayloadTooLarge)
            return Simple(413, "Payload too large", "The request body is larger than this endpoint accepts.");
        if (b.InnerException is JsonException j)
            return MalformedJson(j);
        // Minimal-API binding messages name C# types and parameters (and suggest services); clients need the wire name.
        var missing = MissingParameter().Match(b.Message);
        if (NoBody().IsMatch(b.Message) || missing.Success && missing.Groups["source"].Value == "body")
            return Invalid("Bad request", Body, "A JSON body is required: the request has none, or it is null.");
        if (missing.Success)
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(missing.Groups["name"].Value);
            return Invalid("Bad request", name, $"Parameter '{name}' is required.");
        }
        var bind = BindFailure().Match(b.Message);
        if (bind.Success)
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(bind.Groups["name"].Value);
            var accepted = QueryEnums.AcceptedBy(bind.Groups["type"].Value);
            return Invalid("Bad request", name, $"Parameter '{name}' has an invalid value '{bind.Groups["value"].Value}'"
                                                + (accepted is null ? "." : $"; it takes one of {accepted}."));
        }
        return Simple(b.StatusCode, b.StatusCode == 400 ? "Bad request" : "Request rejected", b.Message);
    }

    /// <summary>The key in <c>errors</c> of a problem with the body as a whole (none, not JSON, not an object).</summary>
    public const string Body = "body";

    /// <summary>A body the JSON reader refused: a 400 whose <c>errors</c> names the field it stopped at, like a
    /// validation failure, so a client handles one shape for every 400.</summary>
    private static ProblemDetails MalformedJson(JsonException j)
    {
        var (field, detail) = JsonDetail(j);
        return Invalid("Malformed JSON", field, detail);
    }

    private static ProblemDetails Invalid(string title, string field, string detail)
    {
        var pd = Simple(400, title, detail);
        pd.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        return pd;
    }

    /// <summary>System.Text.Json messages name CLR types; clients need the JSON path and what was wrong. The field is the
    /// path without its leading <c>$.</c> (<c>rules[0].destination</c>), or <see cref="Body"/> for the body itself.</summary>
    internal static (string Field, string Detail) JsonDetail(JsonException j)
    {
        var message = j.Message;
        var at = string.IsNullOrEmpty(j.Path) ? "" : $" at '{j.Path}'";
        var path = FieldOf(j.Path);
        const string missing = "missing required properties including: ";
        var i = message.IndexOf(missing, StringComparison.Ordinal);
        if (i >= 0)
        {
            var names = message[(i + missing.Length)..].TrimEnd('.');
            return (Child(path, names.Split(',')[0].Trim().Trim('\'')), $"Missing required property {names}.");
        }
        const string unmapped = "The JSON property '";
        if (message.StartsWith(unmapped, StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var name = message[unmapped.Length..message.IndexOf('\'', unmapped.Length)];
            return (path == name || path.EndsWith("." + name, StringComparison.Ordinal) ? path : Child(path, name),
                $"Unknown or read-only property '{name}'.");
        }
        // The reader names the property in its own message, or in the inner one when a nested object holds it.
        if ((ApiJson.DuplicateProperty(message) ?? ApiJson.DuplicateProperty(j.InnerException?.Message)) is { } twice)
            return (path == twice || path.EndsWith("." + twice, StringComparison.Ordinal) ? path : Child(path, twice),
                $"Duplicate property '{twice}'{at}: send each property once.");
        if (message.StartsWith("Duplicate properties", StringComparison.Ordinal))
            return (Whole(path), $"Duplicate property{at}: send each property once.");
        if (message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase)
            || j.InnerException?.Message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) == true
            || j.InnerException is System.Text.DecoderFallbackException)
            return (Whole(path), $"The body is not valid UTF-8{at}.");
        if (message.Contains("allow null", StringComparison.OrdinalIgnoreCase) || message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase)
            || JsonKinds.SentNull(j))
            return (Whole(path), $"The value{at} must not be null.");
        if (message.StartsWith(TimestampConverter.Expected, StringComparison.Ordinal))
            return (Whole(path), $"The value{at} {message[TimestampConverter.Expected.Length..]}");
        if (message.StartsWith(StrictEnumConverter.Expected, StringComparison.Ordinal))
            return (Whole(path), $"The value{at} must be one of {message[StrictEnumConverter.Expected.Length..].TrimEnd('.')}.");
        if (JsonKinds.Expected(j) is { } expected)
            return (Whole(path), $"The value{at} has the wrong type: it must be {expected}.");
        if (message.Contains("could not be converted to", StringComparison.Ordinal))
            return (Whole(path), $"The value{at} has the wrong type or is not one of the allowed values.");
        return (Whole(path), $"The body is not valid JSON{at}.");
    }

    private static string FieldOf(string? jsonPath) =>
        jsonPath is null || jsonPath == "$" ? "" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Whole(string path) => path.Length == 0 ? Body : path;

    [System.Text.RegularExpressions.GeneratedRegex("^Implicit body inferred for parameter \"[^\"]*\" but no body was provided")]
    private static partial System.Text.RegularExpressions.Regex NoBody();

    [System.Text.RegularExpressions.GeneratedRegex("^Required parameter \"(?:.* )?(?<name>\\w+)\" was not provided from (?<source>[a-z ]+)\\.\\z")]
    private static partial System.Text.RegularExpressions.Regex MissingParameter();

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?:(?<type>.*) )?(?<name>\\w+)\" from \"(?<value>.*)\"\\.$")]
    private static partial System.Text.RegularExpressions.Regex BindFailure();

    internal static ProblemDetails Simple(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };
}
