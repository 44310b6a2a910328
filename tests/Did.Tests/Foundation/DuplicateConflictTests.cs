using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A duplicate is a 409 that names what collides: the field in <c>errors</c>, and the value sent, whether the
/// object is created or renamed into the collision.</summary>
public sealed class DuplicateConflictTests : ApiFixture
{
    private TestTenant _tenant = null!;

    [OneTimeSetUp]
    public async Task Tenant() => _tenant = await CreateTenantAsync();

    private static async Task AssertNamesAsync(HttpResponseMessage response, string field, string value)
    {
        var body = await Expect(response, HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain($"'{value}'"));
        var messages = body.GetProperty("errors").GetProperty(field);
        Assert.That(messages.GetArrayLength(), Is.EqualTo(1));
        Assert.That(messages[0].GetString(), Does.Contain($"'{value}'"));
    }

    private Task<HttpResponseMessage> CreateUser(string email, string? extension = null) => Admin.PostAsJsonAsync("/api/v1/users",
        new { email, password = "correct-horse-battery", display_name = "Someone", role = "USER", tenant_id = _tenant.Id, extension });

    [Test]
    public async Task A_tenant_created_with_a_taken_slug_names_it()
    {
        var slug = Unique("dup");
        await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = $"First {slug}", slug }), HttpStatusCode.Created);

        await AssertNamesAsync(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = $"Second {slug}", slug }), "slug", slug);
    }

    [Test]
    public async Task A_user_created_or_changed_to_a_taken_email_names_it()
    {
        var email = $"{Unique("dup")}@example.com";
        await Expect(await CreateUser(email), HttpStatusCode.Created);
        var other = await CreateUserAsync("USER", _tenant.Id);

        await AssertNamesAsync(await CreateUser(email.ToUpperInvariant()), "email", email.ToUpperInvariant());
        await AssertNamesAsync(await Patch(Admin, $"/api/v1/users/{other.Id}", new { email }), "email", email);
    }

    [Test]
    public async Task A_user_created_or_changed_to_a_taken_extension_names_it()
    {
        await Expect(await CreateUser($"{Unique("x")}@example.com", "6161"), HttpStatusCode.Created);
        var other = await CreateUserAsync("USER", _tenant.Id, "6162");

        await AssertNamesAsync(await CreateUser($"{Unique("x")}@example.com", "6161"), "extension", "6161");
        await AssertNamesAsync(await Patch(Admin, $"/api/v1/users/{other.Id}", new { extension = "6161" }), "extension", "6161");
    }

    public static IEnumerable<TestCaseData> Named()
    {
        yield return new TestCaseData("queues", (Func<string, Guid, object>)((name, tenant) => QueueBodies.Create(name, tenant))).SetArgDisplayNames("queue");
        yield return new TestCaseData("ivrs", (Func<string, Guid, object>)((name, tenant) =>
            new { name, greeting = "welcome", timeout_seconds = 5, tenant_id = tenant })).SetArgDisplayNames("ivr");
        yield return new TestCaseData("schedules", (Func<string, Guid, object>)((name, tenant) =>
            new { name, timezone = "UTC", open = Array.Empty<object>(), closed_dates = Array.Empty<object>(), tenant_id = tenant })).SetArgDisplayNames("schedule");
    }

    [TestCaseSource(nameof(Named))]
    public async Task An_object_created_or_renamed_to_a_taken_name_names_it(string route, Func<string, Guid, object> body)
    {
        var name = Unique("n");
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/{route}", body(name, _tenant.Id)), HttpStatusCode.Created);
        var other = await Expect(await Admin.PostAsJsonAsync($"/api/v1/{route}", body(Unique("n"), _tenant.Id)), HttpStatusCode.Created);

        await AssertNamesAsync(await Admin.PostAsJsonAsync($"/api/v1/{route}", body(name, _tenant.Id)), "name", name);
        await AssertNamesAsync(await Patch(Admin, $"/api/v1/{route}/{other.GetProperty("id").GetGuid()}", new { name }), "name", name);
    }
}
