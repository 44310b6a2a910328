using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A user moved between tenants, or between a tenant and a platform role, is audited on each side: the tenant it
/// left and the tenant it joined (the platform, for a platform role) each get an UPDATE row in their own log, holding
/// the user only as that side can see it (docs/decisions.md, "A user's move is audited on each side, as each side sees
/// it"). Read through GET /audit-logs as each tenant's admin reads it.</summary>
public sealed class UserMoveAuditTests : ApiFixture
{
    private TestTenant _a = null!;
    private TestTenant _b = null!;
    private TestUser _adminA = null!;
    private TestUser _adminB = null!;

    [OneTimeSetUp]
    public async Task TwoTenants()
    {
        _a = await CreateTenantAsync();
        _b = await CreateTenantAsync();
        _adminA = await CreateUserAsync("TENANT_ADMIN", _a.Id);
        _adminB = await CreateUserAsync("TENANT_ADMIN", _b.Id);
    }

    /// <summary>The rows of the user that <paramref name="reader"/> sees in its audit log, newest first.</summary>
    private static async Task<List<JsonElement>> RowsAsync(HttpClient reader, Guid userId)
    {
        var body = await Expect(await reader.GetAsync($"/api/v1/audit-logs?entity_type=USER&entity_id={userId}"), HttpStatusCode.OK);
        return body.GetProperty("items").EnumerateArray().ToList();
    }

    private static string Actions(IEnumerable<JsonElement> rows) => string.Join(",", rows.Select(r => r.GetProperty("action").GetString()));

    private static void AssertSide(JsonElement row, string name, JsonElement? expected)
    {
        var stored = row.GetProperty(name);
        if (expected is not { } e)
        {
            Assert.That(stored.ValueKind, Is.EqualTo(JsonValueKind.Null), $"{name} of {row}");
            return;
        }
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(stored.GetRawText()), JsonNode.Parse(e.GetRawText())), Is.True,
            $"{name}: stored {stored}, expected {e}");
    }

    private static Guid? TenantOf(JsonElement row) =>
        row.GetProperty("tenant_id").ValueKind == JsonValueKind.Null ? null : row.GetProperty("tenant_id").GetGuid();

    [Test]
    public async Task A_user_moved_to_another_tenant_shows_in_each_tenants_log_as_that_tenant_sees_it()
    {
        var user = await CreateUserAsync("USER", _a.Id, "1401");
        var before = await Expect(await Admin.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        var after = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}",
            new { tenant_id = _b.Id, extension = "1402", display_name = "Now in B", role = "TENANT_ADMIN" }), HttpStatusCode.OK);

        var seenByA = await RowsAsync(_adminA.Client, user.Id);
        Assert.That(Actions(seenByA), Is.EqualTo("UPDATE,CREATE"), "the tenant it left sees it leave");
        var left = seenByA[0];
        Assert.That(TenantOf(left), Is.EqualTo(_a.Id));
        AssertSide(left, "before", before);
        AssertSide(left, "after", null);
        Assert.That(left.GetRawText(), Does.Not.Contain(_b.Id.ToString()).And.Not.Contain("1402").And.Not.Contain("Now in B"),
            "nothing of the tenant it joined");

        var seenByB = await RowsAsync(_adminB.Client, user.Id);
        Assert.That(Actions(seenByB), Is.EqualTo("UPDATE"), "the tenant it joined sees it arrive");
        var joined = seenByB[0];
        Assert.That(TenantOf(joined), Is.EqualTo(_b.Id));
        AssertSide(joined, "before", null);
        AssertSide(joined, "after", after);
        Assert.That(joined.GetRawText(), Does.Not.Contain(_a.Id.ToString()).And.Not.Contain("1401"), "nothing of the tenant it left");

        Assert.That(joined.GetProperty("request_id").GetString(), Is.EqualTo(left.GetProperty("request_id").GetString()), "one request");
        Assert.That(joined.GetProperty("actor_id").GetGuid(), Is.EqualTo(left.GetProperty("actor_id").GetGuid()));
        Assert.That(Actions(await RowsAsync(Admin, user.Id)), Is.EqualTo("UPDATE,UPDATE,CREATE"), "the platform reads both sides");
    }

    [Test]
    public async Task A_user_given_a_platform_role_leaves_its_tenants_log_and_enters_the_platforms()
    {
        var user = await CreateUserAsync("USER", _a.Id, "1501");
        var before = await Expect(await Admin.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        var after = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { role = "SUPPORT", extension = "" }), HttpStatusCode.OK);

        var seenByA = await RowsAsync(_adminA.Client, user.Id);
        Assert.That(Actions(seenByA), Is.EqualTo("UPDATE,CREATE"));
        Assert.That(TenantOf(seenByA[0]), Is.EqualTo(_a.Id));
        AssertSide(seenByA[0], "before", before);
        AssertSide(seenByA[0], "after", null);

        var platform = (await RowsAsync(Admin, user.Id)).Where(r => TenantOf(r) is null).ToList();
        Assert.That(Actions(platform), Is.EqualTo("UPDATE"), "the platform's side of the move");
        AssertSide(platform[0], "before", null);
        AssertSide(platform[0], "after", after);
    }

    [Test]
    public async Task A_platform_user_given_a_tenant_role_enters_that_tenants_log_and_leaves_the_platforms()
    {
        var user = await CreateUserAsync("SUPPORT", null);
        var before = await Expect(await Admin.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        var after = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { role = "USER", tenant_id = _b.Id, extension = "1601" }),
            HttpStatusCode.OK);

        var seenByB = await RowsAsync(_adminB.Client, user.Id);
        Assert.That(Actions(seenByB), Is.EqualTo("UPDATE"), "the tenant sees it arrive, and not its creation on the platform");
        Assert.That(TenantOf(seenByB[0]), Is.EqualTo(_b.Id));
        AssertSide(seenByB[0], "before", null);
        AssertSide(seenByB[0], "after", after);

        var platform = (await RowsAsync(Admin, user.Id)).Where(r => TenantOf(r) is null).ToList();
        Assert.That(Actions(platform), Is.EqualTo("UPDATE,CREATE"), "the platform's side of the move");
        AssertSide(platform[0], "before", before);
        AssertSide(platform[0], "after", null);
    }

    [Test]
    public async Task A_user_moved_with_a_new_password_has_its_password_change_in_the_tenant_it_joined_only()
    {
        var user = await CreateUserAsync("USER", _a.Id);
        var after = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { tenant_id = _b.Id, password = "a-password-for-b" }),
            HttpStatusCode.OK);

        Assert.That(Actions(await RowsAsync(_adminA.Client, user.Id)), Is.EqualTo("UPDATE,CREATE"));
        var seenByB = await RowsAsync(_adminB.Client, user.Id);
        Assert.That(Actions(seenByB), Is.EqualTo("CHANGE_PASSWORD,UPDATE"));
        AssertSide(seenByB[0], "before", after);
        AssertSide(seenByB[0], "after", after);
        Assert.That(string.Join("", seenByB.Select(r => r.GetRawText())), Does.Not.Contain("a-password-for-b").And.Not.Contain("$2"));
    }
}
