using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>The service always keeps a platform admin: without one nobody can create tenants or users, and the first-admin
/// bootstrap cannot make one again (its email is taken). Its own database, so the bootstrap admin is the only one.</summary>
public sealed class LastPlatformAdminTests : ApiFixture
{
    private async Task<Guid> AdminIdAsync()
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/users?role=PLATFORM_ADMIN"), HttpStatusCode.OK);
        return body.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("email").GetString() == DidApp.AdminEmail)
            .GetProperty("id").GetGuid();
    }

    [Test]
    public async Task The_last_platform_admin_cannot_demote_itself()
    {
        var id = await AdminIdAsync();
        var body = await Expect(await Patch(Admin, $"/api/v1/users/{id}", new { role = "SUPPORT" }), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("last platform admin"));
        var after = await Expect(await Admin.GetAsync($"/api/v1/users/{id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("role").GetString(), Is.EqualTo("PLATFORM_ADMIN"));
    }

    [Test]
    public async Task A_platform_admin_key_cannot_delete_the_last_platform_admin()
    {
        var id = await AdminIdAsync();
        var key = await Expect(await Admin.PostAsJsonAsync("/api/v1/api-keys", new { name = Unique("k"), role = "PLATFORM_ADMIN" }),
            HttpStatusCode.Created);
        var byKey = ClientWithToken(key.GetProperty("secret").GetString()!);
        await Expect(await byKey.DeleteAsync($"/api/v1/users/{id}"), HttpStatusCode.Conflict);
        await Expect(await Admin.GetAsync($"/api/v1/users/{id}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_platform_admin_may_step_down_while_another_remains()
    {
        var second = await CreateUserAsync("PLATFORM_ADMIN", null);
        var body = await Expect(await Patch(second.Client, $"/api/v1/users/{second.Id}", new { role = "SUPPORT" }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("role").GetString(), Is.EqualTo("SUPPORT"));
    }
}
