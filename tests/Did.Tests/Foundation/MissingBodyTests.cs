using System.Net;
using System.Text;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A request without its JSON body is a plain 400 problem, not the framework's words about inferred bodies,
/// C# parameter names and services.</summary>
public sealed class MissingBodyTests : ApiFixture
{
    [Test]
    public async Task A_post_without_a_body_is_a_plain_400() =>
        AssertPlain(await Expect(await Admin.PostAsync("/api/v1/tenants", null), HttpStatusCode.BadRequest));

    [Test]
    public async Task A_json_post_with_an_empty_body_is_a_plain_400() =>
        AssertPlain(await Expect(await Admin.PostAsync("/api/v1/tenants", new StringContent("", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest));

    [Test]
    public async Task A_patch_whose_body_is_null_is_a_plain_400()
    {
        var tenant = await CreateTenantAsync();
        AssertPlain(await Expect(await SendJson(Admin, HttpMethod.Patch, $"/api/v1/tenants/{tenant.Id}", "null"), HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Sign_in_without_a_body_is_a_plain_400() =>
        AssertPlain(await Expect(await Anonymous.PostAsync("/api/v1/auth/token", null), HttpStatusCode.BadRequest));

    private static void AssertPlain(System.Text.Json.JsonElement problem)
    {
        var detail = problem.GetProperty("detail").GetString();
        Assert.That(detail, Is.EqualTo("A JSON body is required: the request has none, or it is null."));
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Bad request"));
    }
}
