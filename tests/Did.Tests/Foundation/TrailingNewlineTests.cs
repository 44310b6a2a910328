using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>.NET's <c>$</c> also matches before a final newline, so <c>^[a-z][a-z0-9-]{1,30}$</c> took "acme\n". Every
/// pattern-checked field refuses a trailing newline with the API's own 400 naming the field, not a vaguer refusal from
/// a database CHECK later (or none, for a field no CHECK covers).</summary>
public sealed class TrailingNewlineTests : ApiFixture
{
    private TestTenant _tenant = null!;

    [OneTimeSetUp]
    public async Task CreateTenant() => _tenant = await CreateTenantAsync();

    [Test]
    public async Task Tenant_slug() =>
        AssertNamesField(await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = "Acme", slug = "acme\n" }), HttpStatusCode.BadRequest), "slug");

    [Test]
    public async Task User_extension_on_create() =>
        AssertNamesField(await Expect(await Admin.PostAsJsonAsync("/api/v1/users", NewUser(extension: "1001\n")), HttpStatusCode.BadRequest), "extension");

    [Test]
    public async Task User_extension_on_update()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, "1002");
        AssertNamesField(await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { extension = "1003\n" }), HttpStatusCode.BadRequest), "extension");
    }

    [Test]
    public async Task User_email() =>
        AssertNamesField(await Expect(await Admin.PostAsJsonAsync("/api/v1/users", NewUser(email: $"{Unique("e")}@example.com\n")), HttpStatusCode.BadRequest), "email");

    [Test]
    public async Task Ivr_name() =>
        AssertNamesField(await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs", NewIvr(name: "main\n")), HttpStatusCode.BadRequest), "name");

    [Test]
    public async Task Ivr_greeting() =>
        AssertNamesField(await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs", NewIvr(greeting: "custom/welcome\n")), HttpStatusCode.BadRequest), "greeting");

    [Test]
    public async Task Ivr_option_key()
    {
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs",
            NewIvr(options: new Dictionary<string, object> { ["1\n"] = new { type = "HANGUP" } })), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("must be one of 0-9, * or #"));
    }

    [Test]
    public async Task Queue_name() =>
        // Request validation runs before the queue is looked up, so the id needs no queue behind it.
        AssertNamesField(await Expect(await Patch(Admin, $"/api/v1/queues/{Guid.NewGuid()}", new { name = "support\n" }), HttpStatusCode.BadRequest), "name");

    [Test]
    public async Task Number_filter_of_the_did_list() =>
        AssertNamesField(await Expect(await Admin.GetAsync("/api/v1/dids?number=1555%0A"), HttpStatusCode.BadRequest), "number");

    private static void AssertNamesField(JsonElement problem, string field) =>
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, $"the problem names '{field}': {problem}");

    private object NewUser(string? email = null, string? extension = null) => new
    {
        email = email ?? $"{Unique("u")}@example.com",
        password = "correct-horse-battery",
        display_name = "Newline",
        role = "USER",
        tenant_id = _tenant.Id,
        extension = extension ?? "1009",
    };

    private object NewIvr(string? name = null, string? greeting = null, Dictionary<string, object>? options = null) => new
    {
        name = name ?? Unique("ivr"),
        greeting = greeting ?? "custom/welcome",
        timeout_seconds = 5,
        options = options ?? new Dictionary<string, object>(),
        tenant_id = _tenant.Id,
    };
}
