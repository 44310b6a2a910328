using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Migrations;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>EXTERNAL Gotos stored with the old IVR and queue context names are rewritten by the migration that renamed
/// those contexts (its statement run here on rows written the old way, as a release before it stored them).</summary>
public sealed class LegacyGotoRewriteTests : ApiFixture
{
    private async Task<Guid> StoreExternalAsync(TestTenant tenant, string value)
    {
        var number = (await SeedNumbersAsync(tenant.Id))[0];
        await using var conn = await Db.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value) VALUES (gen_random_uuid(), @id, @t, 'EXTERNAL', @value);
            UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = @id;
            """, new { id = number.Id, t = tenant.Id, value });
        return number.Id;
    }

    private async Task<string> StoredAsync(Guid numberId)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<string>("SELECT assigned_value FROM did_assignments WHERE phone_number_id = @numberId", new { numberId });
    }

    [Test]
    public async Task Own_ivr_and_queue_gotos_get_the_new_names_with_an_audit_row_and_nothing_else_changes()
    {
        var acme = await CreateTenantAsync(Unique("acme"));
        var other = await CreateTenantAsync(Unique("other"));
        var ivr = await StoreExternalAsync(acme, $"Goto(tenant-{acme.Slug}-ivr-main,s,1)");
        var queue = await StoreExternalAsync(acme, $"Goto(tenant-{acme.Slug}-queue-sales-1,s,2)");
        var users = await StoreExternalAsync(acme, $"Goto(tenant-{acme.Slug},1001,1)");
        var foreign = await StoreExternalAsync(other, $"Goto(tenant-{acme.Slug}-ivr-main,s,1)");

        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync(M0012_QueueMemberRing.RewriteLegacyGotos);

        Assert.That(await StoredAsync(ivr), Is.EqualTo($"Goto({acme.Slug}_ivr_main,s,1)"));
        Assert.That(await StoredAsync(queue), Is.EqualTo($"Goto({acme.Slug}_queue_sales-1,s,2)"));
        Assert.That(await StoredAsync(users), Is.EqualTo($"Goto(tenant-{acme.Slug},1001,1)"));
        Assert.That(await StoredAsync(foreign), Is.EqualTo($"Goto(tenant-{acme.Slug}-ivr-main,s,1)"), "another tenant's row never becomes a route into acme");

        var audit = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_type=PHONE_NUMBER&entity_id={ivr}"), HttpStatusCode.OK);
        var row = audit.GetProperty("items").EnumerateArray().Single();
        Assert.That(row.GetProperty("action").GetString(), Is.EqualTo("UPDATE"));
        Assert.That(row.GetProperty("before").GetProperty("assigned_value").GetString(), Is.EqualTo($"Goto(tenant-{acme.Slug}-ivr-main,s,1)"));
        Assert.That(row.GetProperty("after").GetProperty("assigned_value").GetString(), Is.EqualTo($"Goto({acme.Slug}_ivr_main,s,1)"));
    }

    [Test]
    public async Task An_old_style_goto_sent_to_the_api_is_stored_with_the_new_name()
    {
        var acme = await CreateTenantAsync(Unique("acme"));
        var number = (await SeedNumbersAsync(acme.Id))[0];
        var body = await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign",
            new { assigned_type = "EXTERNAL", assigned_value = $"Goto(tenant-{acme.Slug}-queue-support,s,1)" }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("assigned_value").GetString(), Is.EqualTo($"Goto({acme.Slug}_queue_support,s,1)"));
    }
}
