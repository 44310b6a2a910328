using System.Text.Json;

namespace Did.Tests.Foundation;

/// <summary>What the served OpenAPI document must hold for a generated client to be usable without hand edits, and
/// for redocly's recommended rules to pass: each broken rule is one line naming the operation (or part) and the rule.</summary>
public static class OpenApiContract
{
    public const string ProblemJson = "application/problem+json";

    public static List<string> Violations(JsonElement doc)
    {
        var found = new List<string>();
        var schemas = doc.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) ? s : default;

        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var method in path.Value.EnumerateObject())
        {
            var at = $"{method.Name.ToUpperInvariant()} {path.Name}";
            var op = method.Value;
            if (!op.TryGetProperty("operationId", out var id) || string.IsNullOrWhiteSpace(id.GetString()))
                found.Add($"{at}: no operationId");
            if (!op.TryGetProperty("security", out _))
                found.Add($"{at}: no security (declare security: [] on an anonymous operation)");

            var success = new List<string>();
            foreach (var response in op.GetProperty("responses").EnumerateObject())
            {
                var content = response.Value.TryGetProperty("content", out var ct) ? ct.EnumerateObject().ToList() : [];
                if (response.Name.StartsWith('2'))
                {
                    success.AddRange(content.Select(m => $"{response.Name} {m.Name}"));
                    foreach (var media in content)
                        if (media.Value.TryGetProperty("schema", out var schema) && IsUnion(schema, schemas))
                            found.Add($"{at}: {response.Name} {media.Name} is a oneOf/anyOf");
                }
                else if (response.Name[0] is '4' or '5' && (content.Count == 0 || content.Any(m => m.Name != ProblemJson)))
                {
                    found.Add($"{at}: {response.Name} is not {ProblemJson}");
                }
                else if (response.Name == "400" && !content.All(m => m.Value.TryGetProperty("schema", out var schema) && HasErrors(schema, schemas)))
                {
                    found.Add($"{at}: 400 has no errors member");
                }
            }
            if (success.Count > 1)
                found.Add($"{at}: more than one 2xx schema ({string.Join(", ", success)})");
            if (op.TryGetProperty("requestBody", out _) && !op.GetProperty("responses").TryGetProperty("415", out _))
                found.Add($"{at}: has a request body but no 415");
        }

        if (schemas.ValueKind == JsonValueKind.Object)
            foreach (var schema in schemas.EnumerateObject())
            {
                if (schema.Value.TryGetProperty("enum", out var values) && values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Null))
                    found.Add($"schema {schema.Name}: an enum component that holds null (say null around its $ref)");
                if (IsProblem(schema.Name))
                    found.AddRange(ProblemViolations(schema.Name, schema.Value));
                foreach (var (where, part) in Parts(schema.Name, schema.Value))
                {
                    if (part.TryGetProperty("type", out var type) && !Types(type).Contains("string")
                        && (part.TryGetProperty("pattern", out _) || part.TryGetProperty("maxLength", out _) || part.TryGetProperty("minLength", out _)))
                        found.Add($"{where}: a pattern or length on a non-string ({string.Join("|", Types(type))})");
                    if (part.TryGetProperty("oneOf", out var alternatives) && alternatives.EnumerateArray().Any(a => TakesAnything(a, schemas)))
                        found.Add($"{where}: a oneOf with an alternative that takes any value, so null matches twice");
                }
            }

        if (doc.TryGetProperty("tags", out var tags))
            foreach (var tag in tags.EnumerateArray())
                if (!tag.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
                    found.Add($"tag {tag.GetProperty("name").GetString()}: no description");
        if (doc.TryGetProperty("servers", out var servers))
            foreach (var server in servers.EnumerateArray())
                if (server.GetProperty("url").GetString()!.EndsWith('/'))
                    found.Add($"server {server.GetProperty("url").GetString()}: ends with '/'");
        if (!doc.GetProperty("info").TryGetProperty("license", out _))
            found.Add("info: no license");
        return found;
    }

    /// <summary>Where an answer's <paramref name="body"/> breaks the schema the document declares for the operation's
    /// <paramref name="status"/>, one line each ($.errors: array, the document says object). Checked: $ref, type,
    /// required, properties, additionalProperties, items; a generated client reads no more than that.</summary>
    public static List<string> BodyViolations(JsonElement doc, string method, string path, string status, JsonElement body)
    {
        var response = doc.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status);
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var found = new List<string>();
        foreach (var media in response.GetProperty("content").EnumerateObject())
            Conform(media.Value.GetProperty("schema"), body, "$", schemas, found);
        return found;
    }

    private static void Conform(JsonElement schema, JsonElement value, string at, JsonElement schemas, List<string> found)
    {
        const string local = "#/components/schemas/";
        if (schema.TryGetProperty("$ref", out var r))
        {
            Conform(schemas.GetProperty(r.GetString()![local.Length..]), value, at, schemas, found);
            return;
        }
        var kind = TypeOf(value);
        if (schema.TryGetProperty("type", out var type) && !Types(type).Any(t => t == kind || t == "number" && kind == "integer"))
        {
            found.Add($"{at}: {kind}, the document says {string.Join("|", Types(type))}");
            return;
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
                foreach (var name in required.EnumerateArray().Select(n => n.GetString()!).Where(n => !value.TryGetProperty(n, out _)))
                    found.Add($"{at}: no '{name}'");
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            var extra = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
            foreach (var member in value.EnumerateObject())
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(member.Name, out var declared))
                    Conform(declared, member.Value, $"{at}.{member.Name}", schemas, found);
                else if (extra.ValueKind == JsonValueKind.False)
                    found.Add($"{at}: '{member.Name}' is not allowed");
                else if (extra.ValueKind == JsonValueKind.Object)
                    Conform(extra, member.Value, $"{at}[{member.Name}]", schemas, found);
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray()) Conform(items, item, $"{at}[{i++}]", schemas, found);
        }
    }

    private static string TypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
        _ => "null",
    };

    /// <summary>The members every problem the service writes carries; RFC 9457 extension members may follow.</summary>
    public static readonly string[] ProblemMembers = ["type", "title", "status", "detail", "instance", "trace_id", "request_id"];

    private static bool IsProblem(string name) => name is "ProblemDetails" or "HttpValidationProblemDetails";

    private static IEnumerable<string> ProblemViolations(string name, JsonElement schema)
    {
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet() : [];
        foreach (var member in ProblemMembers.Where(m => !required.Contains(m)))
            yield return $"schema {name}: does not require '{member}'";
        if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False)
            yield return $"schema {name}: refuses extension members (trace_id, errors, accepted_parameters...)";
    }

    /// <summary>A schema and every schema written inside it (properties, items, map values), each with where it is.</summary>
    private static IEnumerable<(string Where, JsonElement Part)> Parts(string where, JsonElement schema)
    {
        yield return (where, schema);
        if (schema.TryGetProperty("properties", out var properties))
            foreach (var p in properties.EnumerateObject())
            foreach (var part in Parts($"{where}.{p.Name}", p.Value))
                yield return part;
        foreach (var nested in new[] { "items", "additionalProperties" })
            if (schema.TryGetProperty(nested, out var inner) && inner.ValueKind == JsonValueKind.Object)
                foreach (var part in Parts($"{where}.{nested}", inner))
                    yield return part;
    }

    private static IEnumerable<string> Types(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!) : [type.GetString()!];

    private static bool HasErrors(JsonElement schema, JsonElement components)
    {
        const string local = "#/components/schemas/";
        if (schema.TryGetProperty("$ref", out var r) && r.GetString() is { } target && target.StartsWith(local, StringComparison.Ordinal))
            return components.ValueKind == JsonValueKind.Object && components.TryGetProperty(target[local.Length..], out var resolved)
                && HasErrors(resolved, components);
        return schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty("errors", out _);
    }

    /// <summary>{} (or a $ref to it): every value, null included, matches it.</summary>
    private static bool TakesAnything(JsonElement schema, JsonElement components)
    {
        const string local = "#/components/schemas/";
        if (schema.TryGetProperty("$ref", out var r) && r.GetString() is { } target && target.StartsWith(local, StringComparison.Ordinal))
            return components.ValueKind == JsonValueKind.Object && components.TryGetProperty(target[local.Length..], out var resolved)
                && TakesAnything(resolved, components);
        return schema.ValueKind == JsonValueKind.Object && !schema.EnumerateObject().Any(p => p.Name is not ("description" or "title"));
    }

    /// <summary>A union, written in place or behind one $ref to a component schema.</summary>
    private static bool IsUnion(JsonElement schema, JsonElement components)
    {
        if (schema.TryGetProperty("oneOf", out _) || schema.TryGetProperty("anyOf", out _)) return true;
        const string local = "#/components/schemas/";
        return schema.TryGetProperty("$ref", out var r) && r.GetString() is { } target && target.StartsWith(local, StringComparison.Ordinal)
            && components.ValueKind == JsonValueKind.Object && components.TryGetProperty(target[local.Length..], out var resolved)
            && (resolved.TryGetProperty("oneOf", out _) || resolved.TryGetProperty("anyOf", out _));
    }
}
