using System.Net;
using System.Text;
using System.Text.Json;
using Did.Infrastructure.OpenApi;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>The document the service serves, read as a generated SDK reads it (scripts/lint-openapi.sh also lints it
/// with redocly's recommended rules).</summary>
public sealed class OpenApiDocumentTests : ApiFixture
{
    [Test]
    public async Task The_served_document_keeps_the_contract()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        Assert.That(OpenApiContract.Violations(doc), Is.Empty);
    }

    [Test]
    public async Task Every_tag_of_the_document_is_described_in_api_tags()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var tags = doc.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.That(tags, Is.EqualTo(ApiTags.All.Select(t => t.Name)), "every area has a tag, in ApiTags' order");
    }

    [Test]
    public async Task Anonymous_operations_declare_no_security_and_the_others_the_bearer_scheme()
    {
        var paths = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("paths");
        Assert.That(paths.GetProperty("/health/live").GetProperty("get").GetProperty("security").GetArrayLength(), Is.Zero);
        Assert.That(paths.GetProperty("/api/v1/auth/token").GetProperty("post").GetProperty("security").GetArrayLength(), Is.Zero);
        var apply = paths.GetProperty("/api/v1/apply").GetProperty("post").GetProperty("security");
        Assert.That(apply[0].TryGetProperty(OpenApiSetup.Bearer, out _), Is.True);
    }

    [Test]
    public async Task Every_operation_with_a_body_answers_another_media_type_with_its_documented_415()
    {
        var paths = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("paths");
        var wrong = new List<string>();
        foreach (var path in paths.EnumerateObject())
        foreach (var method in path.Value.EnumerateObject().Where(m => m.Value.TryGetProperty("requestBody", out _)))
        {
            var url = path.Name.Replace("{id}", Guid.NewGuid().ToString());
            var request = new HttpRequestMessage(new HttpMethod(method.Name.ToUpperInvariant()), url)
                { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
            var response = await Admin.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var documented = method.Value.GetProperty("responses").TryGetProperty("415", out _);
            if (response.StatusCode != HttpStatusCode.UnsupportedMediaType || !documented)
                wrong.Add($"{method.Name} {path.Name}: {(int)response.StatusCode}, 415 documented: {documented}");
            else if (OpenApiContract.ProblemMembers.Where(m => !text.Contains($"\"{m}\":", StringComparison.Ordinal)).ToList() is { Count: > 0 } missing)
                wrong.Add($"{method.Name} {path.Name}: the problem lacks {string.Join(", ", missing)}");
        }
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public async Task Every_list_documents_the_page_size_it_accepts_and_refuses_the_sizes_outside()
    {
        var paths = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("paths");
        var wrong = new List<string>();
        foreach (var path in paths.EnumerateObject())
        foreach (var method in path.Value.EnumerateObject())
        {
            if (!method.Value.TryGetProperty("parameters", out var parameters)) continue;
            var size = parameters.EnumerateArray().FirstOrDefault(p => p.GetProperty("name").GetString() == "page_size");
            if (size.ValueKind != System.Text.Json.JsonValueKind.Object) continue;
            var schema = size.GetProperty("schema");
            var documented = (schema.TryGetProperty("minimum", out var min) ? min.ToString() : "none") + ".."
                + (schema.TryGetProperty("maximum", out var max) ? max.ToString() : "none");
            if (documented != $"1..{Did.Infrastructure.Paging.Paging.MaxPageSize}")
                wrong.Add($"{path.Name}: page_size documented {documented}");
            var url = path.Name.Replace("{id}", Guid.NewGuid().ToString());
            foreach (var (value, refused) in new[] { (0, true), (1, false), (200, false), (201, true) })
            {
                var status = (await Admin.GetAsync($"{url}?page_size={value}")).StatusCode;
                if ((status == HttpStatusCode.BadRequest) != refused)
                    wrong.Add($"{path.Name}: page_size={value} answered {(int)status}");
            }
        }
        Assert.That(wrong, Is.Empty);
    }

    /// <summary>Parameter <paramref name="name"/> of operation <paramref name="operationId"/> in the served document.</summary>
    private async Task<JsonElement> QueryParameterAsync(string operationId, string name)
    {
        var paths = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("paths");
        var operation = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Single(m => m.Value.TryGetProperty("operationId", out var id) && id.GetString() == operationId).Value;
        return operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
    }

    [TestCase("failed")]
    [TestCase("imported")]
    [TestCase("updated")]
    public async Task The_400_schema_declares_what_an_import_or_bulk_change_adds(string member)
    {
        var schemas = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("components").GetProperty("schemas");
        var property = schemas.GetProperty("HttpValidationProblemDetails").GetProperty("properties").GetProperty(member);
        Assert.That(property.GetProperty("type").ToString(), Does.Contain("integer"), property.ToString());
    }

    [TestCase("SimulateRoute", "at")]
    [TestCase("ListAuditLogs", "from")]
    [TestCase("ListAuditLogs", "to")]
    public async Task A_timestamp_parameter_is_documented_as_a_date_time_with_an_offset(string operationId, string name)
    {
        var parameter = await QueryParameterAsync(operationId, name);
        var schema = parameter.GetProperty("schema");
        Assert.That((schema.GetProperty("type").ToString(), schema.TryGetProperty("format", out var format) ? format.GetString() : null),
            Is.EqualTo(("string", "date-time")), parameter.ToString());
        Assert.That(parameter.GetProperty("description").GetString(),
            Does.Contain("RFC 3339").And.Contain("offset").And.Contain("2026-12-25T10:00:00-05:00"), parameter.ToString());
    }

    [TestCase("CreateApiKeyRequest", "expires_at", true)]
    [TestCase("SimulationResponse", "at", false)]
    public async Task A_timestamp_in_a_body_or_an_answer_is_documented_as_a_date_time_string(string schema, string name, bool optional)
    {
        var schemas = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("components").GetProperty("schemas");
        var property = schemas.GetProperty(schema).GetProperty("properties").GetProperty(name);
        var types = property.TryGetProperty("type", out var type)
            ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToList() : [type.GetString()]
            : [];
        Assert.That(types, Is.EquivalentTo(optional ? new[] { "string", "null" } : ["string"]), property.ToString());
        Assert.That(property.TryGetProperty("format", out var format) ? format.GetString() : null, Is.EqualTo("date-time"), property.ToString());
    }

    [TestCase("ImportDids")]
    [TestCase("ValidateDidImport")]
    public async Task The_import_mode_parameter_lists_its_two_spellings(string operationId)
    {
        var parameter = await QueryParameterAsync(operationId, "on_conflict");
        var schema = parameter.GetProperty("schema");
        Assert.That(schema.TryGetProperty("enum", out var values) ? values.EnumerateArray().Select(v => v.GetString()).ToArray() : null,
            Is.EqualTo(new[] { "error", "skip" }), parameter.ToString());
    }

    [Test]
    public async Task Every_operation_documents_the_400_of_an_unknown_query_parameter()
    {
        var paths = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("paths");
        var live = paths.GetProperty("/health/live").GetProperty("get").GetProperty("responses");
        Assert.That(live.GetProperty("400").GetProperty("content").TryGetProperty(OpenApiContract.ProblemJson, out _), Is.True);
        var without = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject()
            .Where(m => !m.Value.GetProperty("responses").TryGetProperty("400", out _)).Select(m => $"{m.Name} {p.Name}"));
        Assert.That(without, Is.Empty);
    }
}
