using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class TenantIsolationTests : ApiFixture
{
    private TestTenant _a = null!;
    private TestTenant _b = null!;
    private TestUser _adminA = null!;
    private TestUser _userB = null!;

    [OneTimeSetUp]
    public async Task TwoTenants()
    {
        _a = await CreateTenantAsync();
        _b = await CreateTenantAsync();
        _adminA = await CreateUserAsync("TENANT_ADMIN", _a.Id, "100");
        _userB = await CreateUserAsync("USER", _b.Id, "200");
    }

    [Test]
    public async Task Tenant_admin_lists_only_its_own_users_whatever_tenant_id_it_asks_for()
    {
        var body = await Expect(await _adminA.Client.GetAsync($"/api/v1/users?tenant_id={_b.Id}"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("total").GetInt64(), Is.Zero);
        var own = await Expect(await _adminA.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(own.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("tenant_id").GetGuid()), Is.All.EqualTo(_a.Id));
    }

    [Test]
    public async Task Another_tenants_user_is_a_404_for_read_change_and_delete()
    {
        var get = await Expect(await _adminA.Client.GetAsync($"/api/v1/users/{_userB.Id}"), HttpStatusCode.NotFound);
        var missing = await Expect(await _adminA.Client.GetAsync($"/api/v1/users/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        Assert.That(get.GetProperty("title").GetString(), Is.EqualTo(missing.GetProperty("title").GetString()));
        await Expect(await Patch(_adminA.Client, $"/api/v1/users/{_userB.Id}", new { display_name = "Hijacked" }), HttpStatusCode.NotFound);
        await Expect(await _adminA.Client.DeleteAsync($"/api/v1/users/{_userB.Id}"), HttpStatusCode.NotFound);
        var still = await Expect(await Admin.GetAsync($"/api/v1/users/{_userB.Id}"), HttpStatusCode.OK);
        Assert.That(still.GetProperty("display_name").GetString(), Is.Not.EqualTo("Hijacked"));
    }

    /// <summary>Another tenant is an object a tenant admin cannot see: naming it is a 404, worded as for a tenant that
    /// does not exist.</summary>
    [Test]
    public async Task Tenant_admin_naming_another_tenant_gets_the_404_of_a_tenant_that_does_not_exist()
    {
        var invented = Guid.NewGuid();
        var answers = new[]
        {
            (_b.Id, await _adminA.Client.PostAsJsonAsync("/api/v1/users",
                new { email = $"{Unique("x")}@x.io", password = "long-enough-pw", display_name = "X", role = "USER", tenant_id = _b.Id })),
            (invented, await _adminA.Client.PostAsJsonAsync("/api/v1/users",
                new { email = $"{Unique("x")}@x.io", password = "long-enough-pw", display_name = "X", role = "USER", tenant_id = invented })),
            (_b.Id, await _adminA.Client.PostAsJsonAsync("/api/v1/queues", new { name = Unique("q"), strategy = "RINGALL", member_ring_seconds = 15, tenant_id = _b.Id })),
            (_b.Id, await _adminA.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = Unique("k"), role = "USER", tenant_id = _b.Id })),
            (invented, await _adminA.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = Unique("k"), role = "USER", tenant_id = invented })),
        };
        foreach (var (tenant, response) in answers)
        {
            var body = await Expect(response, HttpStatusCode.NotFound);
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo($"Tenant '{tenant}' was not found."));
        }
        var usersOfB = await Expect(await Admin.GetAsync($"/api/v1/users?tenant_id={_b.Id}"), HttpStatusCode.OK);
        Assert.That(usersOfB.GetProperty("total").GetInt64(), Is.EqualTo(1), "only tenant B's own user");
    }

    [Test]
    public async Task Tenant_admin_cannot_move_its_user_to_another_tenant()
    {
        var mine = await CreateUserAsync("USER", _a.Id, by: _adminA.Client);
        var body = await Expect(await Patch(_adminA.Client, $"/api/v1/users/{mine.Id}", new { tenant_id = _b.Id }), HttpStatusCode.NotFound);
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo($"Tenant '{_b.Id}' was not found."));
        var still = await Expect(await Admin.GetAsync($"/api/v1/users/{mine.Id}"), HttpStatusCode.OK);
        Assert.That(still.GetProperty("tenant_id").GetGuid(), Is.EqualTo(_a.Id));
    }

    [Test]
    public async Task Tenant_admin_sees_only_its_tenants_audit_rows()
    {
        await CreateUserAsync("USER", _b.Id); // a row in tenant B
        var body = await Expect(await _adminA.Client.GetAsync($"/api/v1/audit-logs?tenant_id={_b.Id}"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("total").GetInt64(), Is.Zero);
        var own = await Expect(await _adminA.Client.GetAsync("/api/v1/audit-logs?page_size=200"), HttpStatusCode.OK);
        Assert.That(own.GetProperty("items").GetArrayLength(), Is.GreaterThan(0));
        Assert.That(own.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("tenant_id").GetGuid()), Is.All.EqualTo(_a.Id));
        var entity = await Expect(await _adminA.Client.GetAsync($"/api/v1/audit-logs?entity_id={_userB.Id}"), HttpStatusCode.OK);
        Assert.That(entity.GetProperty("total").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task Tenant_admin_sees_only_its_own_tenant()
    {
        var list = await Expect(await _adminA.Client.GetAsync("/api/v1/tenants"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(list.GetProperty("items")[0].GetProperty("id").GetGuid(), Is.EqualTo(_a.Id));
        await Expect(await _adminA.Client.GetAsync($"/api/v1/tenants/{_b.Id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_user_sees_only_itself()
    {
        var list = await Expect(await _userB.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(list.GetProperty("items")[0].GetProperty("id").GetGuid(), Is.EqualTo(_userB.Id));
        await Expect(await _userB.Client.GetAsync($"/api/v1/users/{_adminA.Id}"), HttpStatusCode.NotFound);
    }
}
