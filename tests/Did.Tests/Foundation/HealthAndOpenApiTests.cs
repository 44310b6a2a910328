using System.Net;
using System.Text.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class HealthAndOpenApiTests : ApiFixture
{
    [Test]
    public async Task Live_answers_without_a_token()
    {
        var body = await Expect(await Anonymous.GetAsync("/health/live"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("UP"));
    }

    [Test]
    public async Task Ready_reports_the_migrated_schema_version()
    {
        var body = await Expect(await Anonymous.GetAsync("/health/ready"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("READY"));
        Assert.That(body.GetProperty("schema_version").GetInt64(), Is.EqualTo(Did.Infrastructure.Data.SchemaMigrator.Latest));
    }

    private async Task<JsonElement> Document() => await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);

    private static IEnumerable<(string Path, string Method, JsonElement Op)> Operations(JsonElement doc) =>
        doc.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => (p.Name, m.Name, m.Value)));

    [Test]
    public async Task Document_is_openapi_3_1_with_a_bearer_scheme()
    {
        var doc = await Document();
        Assert.That(doc.GetProperty("openapi").GetString(), Does.StartWith("3.1"));
        var bearer = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.That(bearer.GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
    }

    [Test]
    public async Task Every_operation_has_a_unique_operation_id_a_summary_and_problem_responses()
    {
        var ops = Operations(await Document()).ToList();
        Assert.That(ops, Has.Count.GreaterThan(10));
        var ids = ops.Select(o => o.Op.GetProperty("operationId").GetString()).ToList();
        Assert.That(ids, Is.Unique);
        foreach (var (path, method, op) in ops)
        {
            Assert.That(op.TryGetProperty("summary", out _), Is.True, $"{method} {path} has no summary");
            if (path.StartsWith("/api/") && path != "/api/v1/auth/token")
            {
                Assert.That(op.TryGetProperty("security", out _), Is.True, $"{method} {path} does not declare the bearer scheme");
                var responses = op.GetProperty("responses");
                Assert.That(responses.TryGetProperty("401", out var r401), Is.True, $"{method} {path} lacks 401");
                Assert.That(r401.GetProperty("content").TryGetProperty("application/problem+json", out _), Is.True);
            }
        }
    }

    [Test]
    public async Task Enums_are_uppercase_strings_and_integers_are_plain_integers()
    {
        var schemas = (await Document()).GetProperty("components").GetProperty("schemas");
        var roles = schemas.GetProperty("Role").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.That(roles, Is.EqualTo(new[] { "PLATFORM_ADMIN", "SUPPORT", "TENANT_ADMIN", "USER" }));
        var total = schemas.GetProperty("PagedOfTenantResponse").GetProperty("properties").GetProperty("total").GetProperty("type");
        Assert.That(total.ValueKind == JsonValueKind.String ? total.GetString() : total.ToString(), Is.EqualTo("integer"));
    }

    [Test]
    public async Task Properties_are_snake_case()
    {
        var user = (await Document()).GetProperty("components").GetProperty("schemas").GetProperty("UserResponse").GetProperty("properties");
        Assert.That(user.EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "display_name", "tenant_id", "created_at", "updated_at" }));
    }

    [Test]
    public async Task Request_schemas_carry_the_validation_rules()
    {
        var schemas = (await Document()).GetProperty("components").GetProperty("schemas");
        var slug = schemas.GetProperty("CreateTenantRequest").GetProperty("properties").GetProperty("slug");
        Assert.That(slug.GetProperty("pattern").GetString(), Is.EqualTo("^[a-z][a-z0-9-]{1,30}$"));
        var name = schemas.GetProperty("CreateTenantRequest").GetProperty("properties").GetProperty("name");
        Assert.That(name.GetProperty("maxLength").GetInt32(), Is.EqualTo(200));
        var timeout = schemas.GetProperty("CreateIvrRequest").GetProperty("properties").GetProperty("timeout_seconds");
        Assert.That(timeout.GetProperty("minimum").GetInt32(), Is.EqualTo(1));
        Assert.That(timeout.GetProperty("maximum").GetInt32(), Is.EqualTo(60));
        var patchExtension = schemas.GetProperty("UpdateUserRequest").GetProperty("properties").GetProperty("extension");
        Assert.That(System.Text.RegularExpressions.Regex.IsMatch("", patchExtension.GetProperty("pattern").GetString()!), Is.True, "\"\" clears the extension");
    }

    [TestCase("/api/v1/apply", "ApplyDialplan", "ApplyJobResponse")]
    [TestCase("/api/v1/apply/preview", "PreviewDialplan", "ApplyPreviewResponse")]
    public async Task Apply_and_its_preview_each_document_their_own_200_body(string path, string operationId, string schema)
    {
        var op = (await Document()).GetProperty("paths").GetProperty(path).GetProperty("post");
        Assert.That(op.GetProperty("operationId").GetString(), Is.EqualTo(operationId));
        var body = op.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.That(body.GetProperty("$ref").GetString(), Is.EqualTo($"#/components/schemas/{schema}"));
    }

    [Test]
    public async Task Apply_without_an_asterisk_config_dir_is_a_503_problem_not_a_crash()
    {
        var body = await Expect(await Admin.PostAsync("/api/v1/apply", null), HttpStatusCode.ServiceUnavailable);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("Asterisk:ConfigDir is not configured"));
        await Expect(await Admin.PostAsync("/api/v1/apply/preview", null), HttpStatusCode.ServiceUnavailable);
    }

    [Test]
    public async Task Query_enums_reference_the_enum_schema_itself()
    {
        var doc = await Document();
        var role = doc.GetProperty("paths").GetProperty("/api/v1/users").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "role");
        Assert.That(role.GetProperty("schema").GetProperty("$ref").GetString(), Is.EqualTo("#/components/schemas/Role"));
        var names = doc.GetProperty("components").GetProperty("schemas").EnumerateObject().Select(p => p.Name);
        Assert.That(names, Has.None.StartsWith("QueryEnumOf"));
    }
}
