using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class AuditTests : ApiFixture
{
    [Test]
    public async Task Update_writes_one_row_with_before_after_actor_and_request()
    {
        var tenant = await CreateTenantAsync();
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tenants/{tenant.Id}") { Content = JsonContent.Create(new { name = "After" }) };
        request.Headers.UserAgent.ParseAdd("audit-test/1.0");
        await Expect(await Admin.SendAsync(request), HttpStatusCode.OK);

        var body = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_type=TENANT&entity_id={tenant.Id}"), HttpStatusCode.OK);
        var rows = body.GetProperty("items").EnumerateArray().ToList();
        Assert.That(rows.Select(r => r.GetProperty("action").GetString()), Is.EqualTo(new[] { "UPDATE", "CREATE" }), "newest first");
        var update = rows[0];
        Assert.That(update.GetProperty("before").GetProperty("name").GetString(), Is.EqualTo(tenant.Name));
        Assert.That(update.GetProperty("after").GetProperty("name").GetString(), Is.EqualTo("After"));
        Assert.That(update.GetProperty("tenant_id").GetGuid(), Is.EqualTo(tenant.Id));
        Assert.That(update.GetProperty("user_agent").GetString(), Is.EqualTo("audit-test/1.0"));
        Assert.That(update.GetProperty("request_id").GetString(), Is.Not.Empty);
        Assert.That(update.GetProperty("actor_id").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.String));
    }

    [Test]
    public async Task User_rows_never_hold_a_password_or_its_hash()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { password = "another-long-password" }), HttpStatusCode.OK);
        await using var conn = await Db.OpenConnectionAsync();
        var texts = (await conn.QueryAsync<string>("SELECT coalesce(before::text, '') || coalesce(after::text, '') FROM audit_logs WHERE entity_id = @id", new { id = user.Id })).ToList();
        Assert.That(texts, Has.Count.EqualTo(2));
        Assert.That(texts, Has.None.Contains("password").And.None.Contains("$2"));
    }

    [Test]
    public async Task A_failed_audit_write_rolls_back_the_change_with_it()
    {
        var tenant = await CreateTenantAsync();
        await using (var conn = await Db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.after->>'name' = 'poison' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_audit();
                """);
        }
        try
        {
            var response = await Patch(Admin, $"/api/v1/tenants/{tenant.Id}", new { name = "poison" });
            Assert.That((int)response.StatusCode, Is.EqualTo(500));
            var after = await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
            Assert.That(after.GetProperty("name").GetString(), Is.EqualTo(tenant.Name), "the rename must not survive its audit row");
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DROP TRIGGER fail_audit ON audit_logs; DROP FUNCTION fail_audit();");
        }
    }

    [Test]
    public async Task A_refused_change_leaves_no_audit_row()
    {
        var tenant = await CreateTenantAsync();
        await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = "Again", slug = tenant.Slug }), HttpStatusCode.Conflict);
        var body = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_type=TENANT&entity_id={tenant.Id}"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("total").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task Filters_by_actor_and_time_window()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = await CreateUserAsync("USER", tenant.Id, by: admin.Client);
        var body = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?actor_id={admin.Id}&from={Uri.EscapeDataString(from.ToString("O"))}"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(body.GetProperty("items")[0].GetProperty("entity_id").GetGuid(), Is.EqualTo(created.Id));
        var none = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?actor_id={admin.Id}&to={Uri.EscapeDataString(from.AddMinutes(-5).ToString("O"))}"), HttpStatusCode.OK);
        Assert.That(none.GetProperty("total").GetInt64(), Is.Zero);
    }
}
