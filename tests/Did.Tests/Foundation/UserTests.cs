using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class UserTests : ApiFixture
{
    private TestTenant _tenant = null!;

    [OneTimeSetUp]
    public async Task Tenant() => _tenant = await CreateTenantAsync();

    private Task<HttpResponseMessage> Create(object body, HttpClient? by = null) => (by ?? Admin).PostAsJsonAsync("/api/v1/users", body);

    private object NewUser(string role = "USER", Guid? tenantId = null, string? extension = null, string? email = null) => new
    {
        email = email ?? $"{Unique("u")}@example.com", password = "long-enough-pw", display_name = "Someone", role,
        tenant_id = tenantId ?? (role is "USER" or "TENANT_ADMIN" ? _tenant.Id : null), extension,
    };

    [TestCase("1")]
    [TestCase("123456789")]
    [TestCase("12a4")]
    [TestCase(" 123")]
    [TestCase("+123")]
    public async Task Extension_that_is_not_2_to_8_digits_is_a_400(string extension)
    {
        var body = await Expect(await Create(NewUser(extension: extension)), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("extension")[0].GetString(), Does.Contain("2 to 8 digits"));
    }

    [Test]
    public async Task Created_user_is_returned_without_any_password_field()
    {
        var response = await Create(NewUser(extension: "4321"));
        var body = await Expect(response, HttpStatusCode.Created);
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/users/{body.GetProperty("id").GetGuid()}"));
        Assert.That(body.GetProperty("role").GetString(), Is.EqualTo("USER"));
        Assert.That(body.GetProperty("extension").GetString(), Is.EqualTo("4321"));
        Assert.That(body.TryGetProperty("password", out _) || body.TryGetProperty("password_hash", out _), Is.False);
    }

    [Test]
    public async Task Duplicate_email_in_another_case_is_a_409()
    {
        var email = $"{Unique("dup")}@example.com";
        await Expect(await Create(NewUser(email: email)), HttpStatusCode.Created);
        var body = await Expect(await Create(NewUser(email: email.ToUpperInvariant())), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("email"));
    }

    [Test]
    public async Task Duplicate_extension_in_one_tenant_is_a_409_but_fine_in_another()
    {
        await Expect(await Create(NewUser(extension: "7777")), HttpStatusCode.Created);
        var body = await Expect(await Create(NewUser(extension: "7777")), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("extension"));
        var other = await CreateTenantAsync();
        await Expect(await Create(NewUser(tenantId: other.Id, extension: "7777")), HttpStatusCode.Created);
    }

    [Test]
    public async Task Platform_role_with_a_tenant_is_a_400()
    {
        var body = await Expect(await Create(NewUser("SUPPORT", tenantId: _tenant.Id)), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("tenant_id")[0].GetString(), Does.Contain("platform roles"));
    }

    [Test]
    public async Task Tenant_role_without_a_tenant_is_a_400()
    {
        var body = await Expect(await Create(new { email = $"{Unique("u")}@x.io", password = "long-enough-pw", display_name = "X", role = "TENANT_ADMIN" }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("tenant_id")[0].GetString(), Does.Contain("required"));
    }

    [Test]
    public async Task Unknown_tenant_is_a_400_naming_it()
    {
        var id = Guid.NewGuid();
        var body = await Expect(await Create(NewUser(tenantId: id)), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(id.ToString()));
    }

    [TestCase("PLATFORM_ADMIN")]
    [TestCase("SUPPORT")]
    public async Task Tenant_admin_cannot_create_platform_roles(string role)
    {
        var admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        await Expect(await Create(new { email = $"{Unique("u")}@x.io", password = "long-enough-pw", display_name = "X", role }, admin.Client), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Tenant_admin_creates_users_in_its_own_tenant_by_default()
    {
        var admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        var body = await Expect(await Create(new { email = $"{Unique("u")}@x.io", password = "long-enough-pw", display_name = "X", role = "USER", extension = "55" }, admin.Client), HttpStatusCode.Created);
        Assert.That(body.GetProperty("tenant_id").GetGuid(), Is.EqualTo(_tenant.Id));
    }

    [Test]
    public async Task Tenant_admin_cannot_promote_a_user_to_a_platform_role()
    {
        var admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        var user = await CreateUserAsync("USER", _tenant.Id);
        await Expect(await Patch(admin.Client, $"/api/v1/users/{user.Id}", new { role = "PLATFORM_ADMIN" }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Empty_extension_in_a_patch_removes_it_and_absent_fields_stay()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, "8080");
        var kept = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { display_name = "Renamed" }), HttpStatusCode.OK);
        Assert.That(kept.GetProperty("extension").GetString(), Is.EqualTo("8080"));
        var cleared = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { extension = "" }), HttpStatusCode.OK);
        Assert.That(cleared.GetProperty("extension").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(cleared.GetProperty("display_name").GetString(), Is.EqualTo("Renamed"));
    }

    [Test]
    public async Task Moving_a_user_to_a_platform_role_drops_its_tenant()
    {
        var user = await CreateUserAsync("USER", _tenant.Id);
        var body = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { role = "SUPPORT" }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("tenant_id").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task Deleting_yourself_is_a_409()
    {
        var admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        await Expect(await admin.Client.DeleteAsync($"/api/v1/users/{admin.Id}"), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task List_filters_by_role_and_tenant()
    {
        var other = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", other.Id);
        await CreateUserAsync("USER", other.Id);
        var body = await Expect(await Admin.GetAsync($"/api/v1/users?tenant_id={other.Id}&role=TENANT_ADMIN"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(body.GetProperty("items")[0].GetProperty("id").GetGuid(), Is.EqualTo(admin.Id));
    }
}
