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
            }
            if (success.Count > 1)
                found.Add($"{at}: more than one 2xx schema ({string.Join(", ", success)})");
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
