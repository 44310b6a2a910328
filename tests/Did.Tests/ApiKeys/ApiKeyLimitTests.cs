using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace Did.Tests.ApiKeys;

/// <summary>Each key has its own rate-limit allowance, so a tenant holds a bounded number of keys that have not expired
/// (here 2): one more is a 409 that creates nothing, revoking one frees its place, and other tenants keep their own.</summary>
public sealed class ApiKeyLimitTests : ApiKeyFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:ApiKeys:MaxPerTenant"] = "2",
    };

    [Test]
    public async Task A_tenant_past_its_key_bound_gets_a_409_until_it_revokes_one()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var first = await CreateKeyAsync(admin.Client, "USER", null);
        await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);

        foreach (var by in new[] { admin.Client, Admin })
        {
            var refused = await Expect(await by.PostAsJsonAsync("/api/v1/api-keys", new { name = "third", role = "USER", tenant_id = tenant.Id }),
                HttpStatusCode.Conflict);
            Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("2 API keys").And.Contain("MaxPerTenant"));
        }
        Assert.That(await CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @id", new { id = tenant.Id }), Is.EqualTo(2));

        var other = await CreateTenantAsync();
        await CreateKeyAsync(Admin, "USER", other.Id);

        await Expect(await admin.Client.DeleteAsync($"/api/v1/api-keys/{first.Id}"), HttpStatusCode.NoContent);
        await CreateKeyAsync(admin.Client, "USER", null);
    }
}
