using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json.Nodes;
using Did.Infrastructure.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
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
                // TimestampConverter is opaque to the schema generator as well: a DateTimeOffset is a date-time string on the
                // wire, and an optional one written in place also takes null.
                var nullable = Nullable.GetUnderlyingType(ctx.JsonTypeInfo.Type);
                if ((nullable ?? ctx.JsonTypeInfo.Type) != typeof(DateTimeOffset)) return Task.CompletedTask;
                schema.Type = nullable is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                schema.Format = "date-time";
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, ctx, _) =>
            {
                // Our enum converter is opaque to the schema generator: describe enums (and QueryEnum<T>) by their wire names.
                // A nullable one written in place (an optional enum of a request body) also takes null, as the reader does.
                var nullable = Nullable.GetUnderlyingType(ctx.JsonTypeInfo.Type);
                var t = nullable ?? ctx.JsonTypeInfo.Type;
                if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(QueryEnum<>)) t = t.GetGenericArguments()[0];
                if (!t.IsEnum) return Task.CompletedTask;
                schema.Type = nullable is { IsEnum: true } ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
                schema.Format = null;
                schema.Properties?.Clear();
                schema.Enum = ApiJson.Names(t).Select(n => (JsonNode)JsonValue.Create(n)!).ToList();
                if (nullable is { IsEnum: true }) schema.Enum.Add(null!);
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
            o.AddOperationTransformer((op, ctx, _) =>
            {
                // Query strings bound as strings for their own validators to read, so that a bad value is refused naming the
                // parameter, say what they take on the wire: a timestamp is a date-time, a parameter with [AllowedValues]
                // lists its spellings. A new schema each, as the generated one may be shared with other string parameters.
                foreach (var described in ctx.Description.ParameterDescriptions)
                {
                    if (described.ParameterDescriptor is not IParameterInfoParameterDescriptor { ParameterInfo: var info }
                        || op.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == described.Name && p.In == ParameterLocation.Query)
                            is not { } parameter)
                        continue;
                    if (info.GetCustomAttributes(typeof(DateTimeParameterAttribute), false).Length > 0)
                        parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" };
                    else if (info.GetCustomAttributes(typeof(AllowedValuesAttribute), false).FirstOrDefault() is AllowedValuesAttribute allowed)
                        parameter.Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.String,
                            Enum = [.. allowed.Values.Select(v => (JsonNode)JsonValue.Create((string)v!))],
                        };
                }
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
                // Any operation can answer 400: an unknown query parameter is refused everywhere (QueryParameterGuard),
                // naming it in errors. Any operation with a body can answer 415: a body that is not one of its media types.
                op.Responses ??= new OpenApiResponses();
                if (!op.Responses.ContainsKey("400"))
                    op.Responses["400"] = Problem("Bad Request", nameof(HttpValidationProblemDetails), ctx.Document);
                if (op.RequestBody is not null && !op.Responses.ContainsKey("415"))
                    op.Responses["415"] = Problem("Unsupported Media Type", nameof(ProblemDetails), ctx.Document);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((op, _, _) =>
            {
                // The limits Paging's validator enforces, where a generated client can check them before sending.
                foreach (var parameter in op.Parameters?.OfType<OpenApiParameter>() ?? [])
                    if (parameter is { Name: "page" or "page_size", Schema: OpenApiSchema number })
                    {
                        number.Minimum = "1";
                        if (parameter.Name == "page_size") number.Maximum = Paging.Paging.MaxPageSize.ToString(CultureInfo.InvariantCulture);
                    }
                return Task.CompletedTask;
            });
            o.AddDocumentTransformer((doc, _, _) =>
            {
                foreach (var schema in doc.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
                {
                    NullableJsonElementIsAnyValue(schema);
                    // An enum component is the enum's values; a property that may be null says so around its $ref.
                    if (schema.Enum?.Remove(null!) == true) schema.Type = JsonSchemaType.String;
                }
                foreach (var name in new[] { nameof(ProblemDetails), nameof(HttpValidationProblemDetails) })
                    if (doc.Components?.Schemas?.TryGetValue(name, out var found) == true && found is OpenApiSchema problem)
                        DescribeProblem(problem);
                if (doc.Components?.Schemas?.TryGetValue(nameof(HttpValidationProblemDetails), out var validation) == true
                    && validation is OpenApiSchema rows)
                    DescribeRowCounts(rows);
                return Task.CompletedTask;
            });
        });

    private static OpenApiResponse Problem(string description, string schema, OpenApiDocument? document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(schema, document) },
        },
    };

    /// <summary>Every problem the service writes has these members (ProblemSetup fills the ones a handler leaves out), and
    /// may carry extension members (RFC 9457, section 3.2) such as accepted_parameters or retry_after_seconds.</summary>
    private static void DescribeProblem(OpenApiSchema problem)
    {
        problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, type) in new[] { ("type", JsonSchemaType.String), ("title", JsonSchemaType.String), ("status", JsonSchemaType.Integer),
                     ("detail", JsonSchemaType.String), ("instance", JsonSchemaType.String) })
            if (problem.Properties.TryGetValue(name, out var found) && found is OpenApiSchema member)
                member.Type = type;
        problem.Properties["trace_id"] = new OpenApiSchema
            { Type = JsonSchemaType.String, Description = "The trace id of the request, also in the logs and the audit rows." };
        problem.Properties["request_id"] = new OpenApiSchema
            { Type = JsonSchemaType.String, Description = "The same as trace_id." };
        if (problem.Properties.TryGetValue("errors", out var listed) && listed is OpenApiSchema errors)
            errors.Description = "Each field (its JSON name or path, 'body' for the body as a whole, or a query parameter) with what is wrong with it.";
        problem.Required = new HashSet<string> { "type", "title", "status", "detail", "instance", "trace_id", "request_id" };
        problem.AdditionalPropertiesAllowed = true;
        problem.AdditionalProperties = null;
    }

    /// <summary>The members an all-or-nothing import or bulk change adds to its 400 (ErrorList), declared so that a
    /// generated client reads them as fields, not as loose extra data.</summary>
    private static void DescribeRowCounts(OpenApiSchema problem)
    {
        problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
        problem.Properties["failed"] = new OpenApiSchema
            { Type = JsonSchemaType.Integer, Format = "int64", Description = "An import or bulk change: how many of its items (numbers, CSV lines) were refused (errors lists the first 1,000 problems)." };
        problem.Properties["imported"] = new OpenApiSchema
            { Type = JsonSchemaType.Integer, Format = "int64", Description = "An import: how many numbers it stored, 0 when refused." };
        problem.Properties["updated"] = new OpenApiSchema
            { Type = JsonSchemaType.Integer, Format = "int64", Description = "A bulk allocate or deallocate: how many numbers it changed, 0 when refused." };
    }

    /// <summary>A nullable JsonElement is written oneOf [null, {}]; {} already takes null, so null matched both and a strict
    /// validator refused every null. Any value, null included, is {}.</summary>
    private static void NullableJsonElementIsAnyValue(OpenApiSchema schema)
    {
        foreach (var (name, property) in schema.Properties?.ToList() ?? [])
            if (property is OpenApiSchema { OneOf: { Count: 2 } alternatives }
                && alternatives.Any(a => a is OpenApiSchema { Type: JsonSchemaType.Null })
                && alternatives.OfType<OpenApiSchemaReference>().FirstOrDefault(r => r.Reference.Id == nameof(System.Text.Json.JsonElement)) is { } any)
                schema.Properties![name] = any;
    }
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
