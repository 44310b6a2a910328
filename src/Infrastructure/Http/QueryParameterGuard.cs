using Did.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace Did.Infrastructure.Http;

/// <summary>Refuses a query parameter the operation does not declare, as unknown JSON properties are refused: a
/// misspelt filter (<c>?stauts=</c>) or one the list does not have must not silently return everything. The answer is
/// a 400 problem naming each unknown parameter and listing the accepted ones. The accepted ones are those of the
/// OpenAPI document (<see cref="DeclaredQueryParameters"/>), matched case-insensitively as binding matches them.</summary>
public sealed class QueryParameterGuard(RequestDelegate next, EndpointDataSource endpoints, IApiDescriptionGroupCollectionProvider descriptions)
{
    private readonly DeclaredQueryParameters _declared = new(endpoints, descriptions);

    public Task InvokeAsync(HttpContext http)
    {
        // Most calls (every write) carry no query string: they pay this one test.
        if (!http.Request.QueryString.HasValue || http.GetEndpoint() is not RouteEndpoint endpoint
            || _declared.For(http.Request.Method, endpoint) is not { } accepted)
            return next(http);
        List<string>? unknown = null, repeated = null;
        foreach (var (key, values) in http.Request.Query)
            if (!accepted.Contains(key))
                (unknown ??= []).Add(key);
            else if (values.Count > 1)
                (repeated ??= []).Add(accepted.Names.First(n => n.Equals(key, StringComparison.OrdinalIgnoreCase)));
        if (unknown is not null)
            throw Refusal(unknown, accepted, endpoint.Metadata.GetOrderedMetadata<RetiredQueryParameter>());
        if (repeated is not null)
            throw Repeated(repeated);
        return next(http);
    }

    /// <summary>Binding joins a parameter given twice with ',' (caller_id=+44&amp;caller_id=1 would be "+44,1"), a value
    /// nobody sent: every parameter is one value, so a repeated one is refused.</summary>
    private static ProblemException Repeated(List<string> repeated) =>
        new(StatusCodes.Status400BadRequest, "Repeated query parameter",
            $"Query parameter{(repeated.Count == 1 ? "" : "s")} {string.Join(", ", repeated.Select(k => $"'{k}'"))} given more than once; each takes one value.",
            new Dictionary<string, object?> { ["errors"] = repeated.ToDictionary(k => k, _ => new[] { "Given more than once; send it once." }) });

    private static ProblemException Refusal(List<string> unknown, QueryParameterSet accepted, IReadOnlyList<RetiredQueryParameter> retired)
    {
        string? Hint(string key) => retired.FirstOrDefault(r => r.Name.Equals(key, StringComparison.OrdinalIgnoreCase))?.Hint;
        var one = unknown.Count == 1;
        var takes = accepted.Names.Count == 0
            ? "This operation takes no query parameters."
            : $"This operation accepts: {string.Join(", ", accepted.Names)}.";
        var hints = string.Concat(unknown.Select(Hint).OfType<string>().Select(h => " " + h));
        return new ProblemException(StatusCodes.Status400BadRequest, one ? "Unknown query parameter" : "Unknown query parameters",
            $"Unknown query parameter{(one ? "" : "s")} {string.Join(", ", unknown.Select(k => $"'{k}'"))}. {takes}{hints}",
            new Dictionary<string, object?>
            {
                ["errors"] = unknown.ToDictionary(k => k, k => new[] { Hint(k) ?? "Unknown query parameter." }),
                ["accepted_parameters"] = accepted.Names,
            });
    }
}
