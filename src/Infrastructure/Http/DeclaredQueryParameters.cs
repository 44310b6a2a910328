using System.Collections.Frozen;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Did.Infrastructure.Http;

/// <summary>The query parameters one operation accepts, as the OpenAPI document lists them.</summary>
public sealed class QueryParameterSet(IReadOnlyList<string> names)
{
    private readonly FrozenSet<string> _names = names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>In the order the document lists them.</summary>
    public IReadOnlyList<string> Names { get; } = names;

    /// <summary>Case-insensitive, as minimal APIs bind query parameters.</summary>
    public bool Contains(string name) => _names.Contains(name);
}

/// <summary>An operation: an HTTP method and the route template of its endpoint, as written when it was mapped.</summary>
public readonly record struct RouteOperation(string Method, string Template);

/// <summary>The query parameters each operation declares, read from the API description that the OpenAPI document is
/// generated from, so the refusal of unknown parameters and the document cannot disagree: whatever a slice declares
/// (an <c>[AsParameters]</c> record with <c>[FromQuery(Name = ...)]</c>, or a plain parameter) is accepted.
/// Computed once, on first use, when every endpoint is mapped. Operations are keyed by method and route template, not
/// by endpoint object: the router builds its own endpoint objects from the same routes. An endpoint the document
/// leaves out (the document itself, the Scalar page) has no entry and is not checked.</summary>
public sealed class DeclaredQueryParameters
{
    private readonly Lazy<FrozenDictionary<RouteOperation, QueryParameterSet>> _byOperation;

    public DeclaredQueryParameters(EndpointDataSource endpoints, IApiDescriptionGroupCollectionProvider descriptions) =>
        _byOperation = new(() => Build(endpoints, descriptions));

    /// <summary>The method is upper-cased (the same string when it already is), as routing matches methods in any case.</summary>
    public QueryParameterSet? For(string method, RouteEndpoint endpoint) =>
        endpoint.RoutePattern.RawText is { } template
            ? _byOperation.Value.GetValueOrDefault(new RouteOperation(method.ToUpperInvariant(), template))
            : null;

    /// <summary>Every operation the document describes, for tests that check the two agree.</summary>
    public IReadOnlyDictionary<RouteOperation, QueryParameterSet> Operations => _byOperation.Value;

    private static FrozenDictionary<RouteOperation, QueryParameterSet> Build(EndpointDataSource endpoints, IApiDescriptionGroupCollectionProvider descriptions)
    {
        // A description names its endpoint by method and template (RelativePath is the template without its leading '/').
        var byOperation = descriptions.ApiDescriptionGroups.Items
            .SelectMany(g => g.Items)
            .Where(d => d.HttpMethod is not null && d.RelativePath is not null)
            .ToLookup(d => new RouteOperation(d.HttpMethod!.ToUpperInvariant(), d.RelativePath!));

        var map = new Dictionary<RouteOperation, QueryParameterSet>();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.RoutePattern.RawText is not { } template || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods) continue;
            foreach (var method in methods.HttpMethods)
            {
                var described = byOperation[new RouteOperation(method.ToUpperInvariant(), template.TrimStart('/'))].ToList();
                if (described.Count == 0) continue;
                var names = described
                    .SelectMany(d => d.ParameterDescriptions)
                    .Where(p => p.Source == BindingSource.Query)
                    .Select(p => p.Name)
                    .Distinct(StringComparer.OrdinalIgnoreCase)
                    .ToList();
                map[new RouteOperation(method.ToUpperInvariant(), template)] = new QueryParameterSet(names);
            }
        }
        return map.ToFrozenDictionary();
    }
}
