namespace Did.Infrastructure.Errors;

/// <summary>An expected failure that a handler reports to the client as an RFC 9457 problem.
/// Thrown, not returned, so a slice reads top to bottom; the exception handler turns it into problem+json.</summary>
public sealed class ProblemException(int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string Detail { get; } = detail;
    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();
}

public static class Problem
{
    public static ProblemException NotFound(string what, object id) =>
        new(StatusCodes.Status404NotFound, "Not found", $"{what} '{id}' was not found.");

    public static ProblemException Conflict(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(StatusCodes.Status409Conflict, "Conflict", detail, extensions);

    public static ProblemException BadRequest(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(StatusCodes.Status400BadRequest, "Bad request", detail, extensions);

    public static ProblemException Forbidden(string detail) =>
        new(StatusCodes.Status403Forbidden, "Forbidden", detail);

    /// <summary>A validation failure on one field, shaped like FluentValidation's so clients parse one format.</summary>
    public static ProblemException Invalid(string field, string message) =>
        new(StatusCodes.Status400BadRequest, "One or more validation errors occurred.", message,
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
