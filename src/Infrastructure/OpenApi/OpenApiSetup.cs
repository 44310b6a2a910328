using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using System.Text.Json.Nodes;
using Did.Infrastructure.Json;
using Microsoft.OpenApi;

namespace Did.Infrastructure.OpenApi;

/// <summary>The document an SDK generator reads: bearer scheme declared once and required on every protected
/// operation, so generated clients send the token without hand edits.</summary>
public static class OpenApiSetup
{
    public const string Bearer = "Bearer";
    private const string ProblemJson = "application/problem+json";
    private const string QueryEnumPrefix = "QueryEnumOf";

    public static IServiceCollection AddDidOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info = new OpenApiInfo
                {
                    Title = "Did API",
                    Version = "v1",
                    Description = "DID inventory and inbound routing for a hosted PBX. JSON is snake_case; enums are UPPERCASE strings; errors are RFC 9457 problem+json. Unknown JSON properties and unknown query parameters are refused with a 400.",
                    License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
                };
                // The server is the address the document was fetched from; a trailing '/' would double the one every path starts with.
                foreach (var server in doc.Servers ?? [])
                    server.Url = server.Url?.TrimEnd('/');
                doc.Tags = ApiTags.Describe(doc.Tags?.Select(t => t.Name) ?? []);
                doc.Components ??= new OpenApiComponents();
                doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                doc.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A token from POST /api/v1/auth/token, or an API key (did_...) from POST /api/v1/api-keys.",
                };
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer<ValidationSchemaTransformer>();
            o.AddSchemaTransformer((schema, ctx, _) =>
            {
                // Our enum converter is opaque to the schema generator: describe enums (and QueryEnum<T>) by their wire names.
                var t = Nullable.GetUnderlyingType(ctx.JsonTypeInfo.Type) ?? ctx.JsonTypeInfo.Type;
                if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(QueryEnum<>)) t = t.GetGenericArguments()[0];
                if (!t.IsEnum) return Task.CompletedTask;
                schema.Type = JsonSchemaType.String;
                schema.Format = null;
                schema.Properties?.Clear();
                schema.Enum = ApiJson.Names(t).Select(n => (JsonNode)JsonValue.Create(n)!).ToList();
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((op, ctx, _) =>
            {
                // A QueryEnum<Role> parameter is the Role enum on the wire: point at that schema, not at a wrapper type.
                foreach (var parameter in op.Parameters?.OfType<OpenApiParameter>() ?? [])
                    if (parameter.Schema is OpenApiSchemaReference { Reference.Id: { } id } && id.StartsWith(QueryEnumPrefix, StringComparison.Ordinal))
                        parameter.Schema = new OpenApiSchemaReference(id[QueryEnumPrefix.Length..], ctx.Document);
                return Task.CompletedTask;
            });
            o.AddDocumentTransformer((doc, _, _) =>
            {
                foreach (var id in doc.Components?.Schemas?.Keys.Where(k => k.StartsWith(QueryEnumPrefix, StringComparison.Ordinal)).ToList() ?? [])
                    doc.Components!.Schemas!.Remove(id);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((op, ctx, _) =>
            {
                // Every operation says how it is secured: the bearer scheme, or none at all (security: []).
                var meta = ctx.Description.ActionDescriptor.EndpointMetadata;
                op.Security ??= [];
                if (meta.OfType<IAuthorizeData>().Any() && !meta.OfType<IAllowAnonymous>().Any())
                    op.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, ctx.Document)] = [] });
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((op, ctx, _) =>
            {
                // Any operation can answer 400: an unknown query parameter is refused everywhere (QueryParameterGuard).
                op.Responses ??= new OpenApiResponses();
                if (!op.Responses.ContainsKey("400"))
                    op.Responses["400"] = new OpenApiResponse
                    {
                        Description = "Bad Request",
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            [ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), ctx.Document) },
                        },
                    };
                return Task.CompletedTask;
            });
        });
}

public static class EndpointConventions
{
    /// <summary>DELETE <paramref name="pattern"/>: sends the command made from the route's id and answers 204.</summary>
    public static RouteHandlerBuilder MapDeleteCommand<TCommand>(this IEndpointRouteBuilder group, string pattern, Func<Guid, TCommand> command)
        where TCommand : Mediator.ICommand =>
        group.MapDelete(pattern, async (Guid id, Mediator.IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(command(id), ct);
            return TypedResults.NoContent();
        });

    /// <summary>The problems every protected operation can answer, declared once per route group.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string prefix, string tag) =>
        (RouteGroupBuilder)app.MapGroup(prefix)
            .WithTags(tag)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
