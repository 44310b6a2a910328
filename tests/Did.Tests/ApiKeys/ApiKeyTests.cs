using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.ApiKeys;

/// <summary>API keys end to end on one service: what a key is, who may create which, what it may then do, what is
/// audited, and what ends it.</summary>
public sealed class ApiKeyTests : ApiKeyFixture
{
    [Test]
    public async Task A_created_key_is_did_and_43_url_safe_characters_shown_once_and_stored_only_as_its_sha256()
    {
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);

        Assert.That(key.Secret, Does.Match("^did_[A-Za-z0-9_-]{43}$"));
        Assert.That(key.Created.GetProperty("prefix").GetString(), Is.EqualTo(key.Secret[..12]));
        var listed = await Expect(await Admin.GetAsync($"/api/v1/api-keys?tenant_id={tenant.Id}"), HttpStatusCode.OK);
        var one = await Expect(await Admin.GetAsync($"/api/v1/api-keys/{key.Id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(listed.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid(), Is.EqualTo(key.Id));
            Assert.That(listed.GetRawText(), Does.Not.Contain(key.Secret[12..]));
            Assert.That(one.TryGetProperty("secret", out _), Is.False);
            Assert.That(one.GetProperty("role").GetString(), Is.EqualTo("TENANT_ADMIN"));
            Assert.That(one.GetProperty("tenant_id").GetGuid(), Is.EqualTo(tenant.Id));
        });

        await using var conn = await Db.OpenConnectionAsync();
        var stored = await conn.QuerySingleAsync<(byte[] Hash, string Row)>(
            "SELECT secret_sha256, to_jsonb(k)::text FROM api_keys k WHERE id = @Id", new { key.Id });
        Assert.That(stored.Hash, Is.EqualTo(SHA256.HashData(Encoding.ASCII.GetBytes(key.Secret))));
        Assert.That(stored.Row, Does.Not.Contain(key.Secret[12..]), "no column holds the secret");
    }

    [Test]
    public async Task A_key_works_wherever_a_token_works_with_its_role_inside_its_tenant()
    {
        var home = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var homeUser = await CreateUserAsync("USER", home.Id);
        var otherUser = await CreateUserAsync("USER", other.Id);
        var key = KeyClient((await CreateKeyAsync(Admin, "TENANT_ADMIN", home.Id)).Secret);

        var users = await Expect(await key.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(users.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("tenant_id").GetGuid()).Distinct(),
            Is.EqualTo(new[] { home.Id }));
        await Expect(await key.GetAsync($"/api/v1/users/{homeUser.Id}"), HttpStatusCode.OK);
        await Expect(await key.GetAsync($"/api/v1/users/{otherUser.Id}"), HttpStatusCode.NotFound);
        await Expect(await key.GetAsync($"/api/v1/tenants/{other.Id}"), HttpStatusCode.NotFound);
        await Expect(await key.PostAsJsonAsync("/api/v1/ivrs", new { name = Unique("i"), greeting = "g", timeout_seconds = 5 }),
            HttpStatusCode.Created);
        await Expect(await key.PostAsJsonAsync("/api/v1/ivrs", new { name = Unique("i"), greeting = "g", timeout_seconds = 5, tenant_id = other.Id }),
            HttpStatusCode.NotFound);
        await Expect(await key.PostAsJsonAsync("/api/v1/tenants", new { name = "N", slug = Unique("k") }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_support_key_reads_every_tenant_and_changes_nothing()
    {
        var tenant = await CreateTenantAsync();
        var key = KeyClient((await CreateKeyAsync(Admin, "SUPPORT", null)).Secret);
        await Expect(await key.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
        await Expect(await key.PatchAsJsonAsync($"/api/v1/tenants/{tenant.Id}", new { name = "Renamed" }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_user_key_may_do_what_a_user_may_and_no_more()
    {
        var tenant = await CreateTenantAsync();
        var colleague = await CreateUserAsync("USER", tenant.Id);
        var key = KeyClient((await CreateKeyAsync(Admin, "USER", tenant.Id)).Secret);
        var users = await Expect(await key.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(users.GetProperty("items").GetArrayLength(), Is.Zero, "a USER sees only itself, and a key is no user");
        await Expect(await key.GetAsync($"/api/v1/users/{colleague.Id}"), HttpStatusCode.NotFound);
        await Expect(await key.GetAsync("/api/v1/tenants"), HttpStatusCode.Forbidden);
        await Expect(await key.GetAsync("/api/v1/api-keys"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_tenant_admin_creates_tenant_admin_and_user_keys_of_its_own_tenant_only()
    {
        var home = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", home.Id);

        var own = await CreateKeyAsync(admin.Client, "USER", null);
        Assert.That(own.Created.GetProperty("tenant_id").GetGuid(), Is.EqualTo(home.Id), "its own tenant when none is named");
        Assert.That(own.Created.GetProperty("created_by").GetGuid(), Is.EqualTo(admin.Id));
        await CreateKeyAsync(admin.Client, "TENANT_ADMIN", home.Id);

        var keys = await CountAsync("SELECT count(*) FROM api_keys");
        var audit = await CountAsync("SELECT count(*) FROM audit_logs");
        foreach (var (role, tenantId) in new (string, Guid?)[] { ("PLATFORM_ADMIN", null), ("SUPPORT", null) })
            await Expect(await admin.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "k", role, tenant_id = tenantId }),
                HttpStatusCode.Forbidden);
        foreach (var role in new[] { "USER", "TENANT_ADMIN" }) // another tenant is one it cannot see
            await Expect(await admin.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "k", role, tenant_id = other.Id }),
                HttpStatusCode.NotFound);
        Assert.That(await CountAsync("SELECT count(*) FROM api_keys"), Is.EqualTo(keys), "no key was created");
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs"), Is.EqualTo(audit), "nothing was audited");
    }

    [Test]
    public async Task Users_support_and_keys_cannot_create_keys()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        var support = await CreateUserAsync("SUPPORT", null);
        var adminKey = KeyClient((await CreateKeyAsync(Admin, "PLATFORM_ADMIN", null)).Secret);
        var body = new { name = "k", role = "USER", tenant_id = tenant.Id };
        await Expect(await user.Client.PostAsJsonAsync("/api/v1/api-keys", body), HttpStatusCode.Forbidden);
        await Expect(await support.Client.PostAsJsonAsync("/api/v1/api-keys", body), HttpStatusCode.Forbidden);
        var refused = await Expect(await adminKey.PostAsJsonAsync("/api/v1/api-keys", body), HttpStatusCode.Forbidden);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("sign in as a person"));
    }

    [Test]
    public async Task A_platform_admin_names_the_tenant_of_a_tenant_key_and_none_for_a_platform_key()
    {
        var tenant = await CreateTenantAsync();
        await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "k", role = "USER" }), "tenant_id");
        await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "SUPPORT", tenant_id = tenant.Id }), "tenant_id");
        await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "USER", tenant_id = Guid.NewGuid() }), "tenant_id");
        await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "bad\nname", role = "SUPPORT" }), "name");
        await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "SUPPORT", expires_at = DateTimeOffset.UtcNow.AddMinutes(-1) }), "expires_at");
        var unknown = await SendJson(Admin, HttpMethod.Post, "/api/v1/api-keys", """{"name":"k","role":"SUPPORT","secret":"did_x"}""");
        await Expect(unknown, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_tenant_admin_sees_and_revokes_its_tenants_keys_only()
    {
        var home = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", home.Id);
        var mine = await CreateKeyAsync(Admin, "USER", home.Id);
        var theirs = await CreateKeyAsync(Admin, "TENANT_ADMIN", other.Id);

        var listed = await Expect(await admin.Client.GetAsync("/api/v1/api-keys"), HttpStatusCode.OK);
        Assert.That(listed.GetProperty("items").EnumerateArray().Select(k => k.GetProperty("id").GetGuid()), Is.EqualTo(new[] { mine.Id }));
        var filtered = await Expect(await admin.Client.GetAsync($"/api/v1/api-keys?tenant_id={other.Id}"), HttpStatusCode.OK);
        Assert.That(filtered.GetProperty("total").GetInt64(), Is.Zero);
        await Expect(await admin.Client.GetAsync($"/api/v1/api-keys/{theirs.Id}"), HttpStatusCode.NotFound);
        await Expect(await admin.Client.DeleteAsync($"/api/v1/api-keys/{theirs.Id}"), HttpStatusCode.NotFound);
        await Expect(await KeyClient(theirs.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);

        await Expect(await admin.Client.DeleteAsync($"/api/v1/api-keys/{mine.Id}"), HttpStatusCode.NoContent);
        await Expect(await KeyClient(mine.Secret).GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Unknown_revoked_expired_and_malformed_keys_get_the_same_401_as_a_bad_token()
    {
        var tenant = await CreateTenantAsync();
        var revoked = await CreateKeyAsync(Admin, "USER", tenant.Id);
        await Expect(await KeyClient(revoked.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/api-keys/{revoked.Id}"), HttpStatusCode.NoContent);
        var unknown = ApiKeySecret.New();

        var answers = new List<(string What, HttpResponseMessage Response)>();
        foreach (var (what, credential) in new[]
                 {
                     ("revoked", revoked.Secret), ("unknown", unknown), ("malformed", "did_" + new string('*', 43)),
                     ("short", revoked.Secret[..20]), ("bad token", "not-a-token"),
                 })
            answers.Add((what, await ClientWithToken(credential).GetAsync("/api/v1/users")));

        var first = await Shape(answers[0].Response);
        foreach (var (what, response) in answers)
            Assert.That(await Shape(response), Is.EqualTo(first), what);
        Assert.That(first, Does.StartWith("401|"));
    }

    /// <summary>What a client sees of a 401 apart from its per-request ids: status, authenticate header, title, detail.</summary>
    private static async Task<string> Shape(HttpResponseMessage response)
    {
        var body = await Expect(response, HttpStatusCode.Unauthorized);
        return string.Join('|', (int)response.StatusCode, string.Join(",", response.Headers.WwwAuthenticate),
            body.GetProperty("title").GetString(), body.GetProperty("detail").GetString());
    }

    [Test]
    public async Task A_key_checked_once_is_served_from_memory_without_reading_the_database()
    {
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);
        var client = KeyClient(key.Secret);
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        var keys = App.Services.GetRequiredService<Infrastructure.Auth.ApiKeyLookup>();
        Assert.That(keys.Holds(key.Id), Is.True);
        var misses = keys.Misses;
        for (var i = 0; i < 5; i++)
            await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(keys.Misses, Is.EqualTo(misses));
    }

    [Test]
    public async Task Creation_first_use_from_each_new_address_and_revocation_are_audited_without_the_secret()
    {
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);
        var fromA = KeyClientFrom(key.Secret, "203.0.113.7");
        await Expect(await fromA.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await fromA.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await KeyClientFrom(key.Secret, "2001:db8:1:2::10").GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await KeyClientFrom(key.Secret, "2001:db8:1:2::99").GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/api-keys/{key.Id}"), HttpStatusCode.NoContent);

        await using var conn = await Db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<(string Action, Guid? Actor, Guid? Tenant, string? After, string? Before, string? SourceIp)>("""
            SELECT action, actor_id, tenant_id, after::text, before::text, source_ip FROM audit_logs
            WHERE entity_type = 'API_KEY' AND entity_id = @Id ORDER BY at, id
            """, new { key.Id })).ToList();
        Assert.That(rows.Select(r => r.Action), Is.EqualTo(new[] { "CREATE", "USE_FROM_NEW_ADDRESS", "USE_FROM_NEW_ADDRESS", "REVOKE" }));
        Assert.Multiple(() =>
        {
            Assert.That(rows.All(r => r.Tenant == tenant.Id), Is.True);
            Assert.That(rows[1].Actor, Is.EqualTo(key.Id), "the key is the actor of its own use");
            Assert.That(rows[1].SourceIp, Is.EqualTo("203.0.113.7"));
            Assert.That(rows[1].After, Does.Contain("203.0.113.7/32"));
            Assert.That(rows[2].After, Does.Contain("2001:db8:1:2::/64"), "an IPv6 /64 is one address");
            Assert.That(rows.Select(r => r.After + r.Before), Has.All.Not.Contain(key.Secret[12..]));
        });
    }

    [Test]
    public async Task A_used_key_shows_when_it_was_last_used()
    {
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "USER", tenant.Id);
        Assert.That(key.Created.TryGetProperty("last_used_at", out _), Is.False, "a new key has not been used");
        var before = await Expect(await Admin.GetAsync($"/api/v1/api-keys/{key.Id}"), HttpStatusCode.OK);
        Assert.That(before.GetProperty("last_used_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
        await Expect(await KeyClient(key.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);
        var after = await Expect(await Admin.GetAsync($"/api/v1/api-keys/{key.Id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("last_used_at").GetDateTime(), Is.GreaterThanOrEqualTo(before.GetProperty("created_at").GetDateTime()));
    }

    [Test]
    public async Task Deleting_the_keys_creator_ends_the_key()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var key = await CreateKeyAsync(admin.Client, "USER", null);
        await Expect(await KeyClient(key.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/users/{admin.Id}"), HttpStatusCode.NoContent);
        await Expect(await KeyClient(key.Secret).GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        Assert.That(await CountAsync("SELECT count(*) FROM api_keys WHERE id = @Id", new { key.Id }), Is.Zero);
    }

    [Test]
    public async Task A_creator_who_may_no_longer_create_the_key_ends_it_and_one_who_still_may_keeps_it()
    {
        var tenant = await CreateTenantAsync();
        var demoted = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var kept = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var ended = await CreateKeyAsync(demoted.Client, "TENANT_ADMIN", null);
        var survives = await CreateKeyAsync(kept.Client, "USER", null);
        await Expect(await KeyClient(ended.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await KeyClient(survives.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);

        await Expect(await Patch(Admin, $"/api/v1/users/{demoted.Id}", new { role = "USER" }), HttpStatusCode.OK);
        await Expect(await Patch(Admin, $"/api/v1/users/{kept.Id}", new { password = "another-long-password" }), HttpStatusCode.OK);

        await Expect(await KeyClient(ended.Secret).GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        await Expect(await KeyClient(survives.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);
    }

    [Test]
    public async Task Deleting_the_keys_tenant_ends_the_key()
    {
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);
        await Expect(await KeyClient(key.Secret).GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.NoContent);
        await Expect(await KeyClient(key.Secret).GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task What_a_key_changes_is_audited_with_the_key_as_its_actor()
    {
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);
        var ivr = await Expect(await KeyClient(key.Secret).PostAsJsonAsync("/api/v1/ivrs",
            new { name = Unique("i"), greeting = "g", timeout_seconds = 5 }), HttpStatusCode.Created);
        var actor = await CountAsync("SELECT count(*) FROM audit_logs WHERE entity_id = @id AND actor_id = @key",
            new { id = ivr.GetProperty("id").GetGuid(), key = key.Id });
        Assert.That(actor, Is.EqualTo(1));
    }

    private HttpClient KeyClientFrom(string secret, string address)
    {
        var client = ClientFrom(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}
