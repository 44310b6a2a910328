using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>Issue 16, "One tenant admin can break Apply for every tenant", through the API and a fake switch.</summary>
public sealed class SwitchNameApplyTests : ApplyFixtureBase
{
    private async Task<(TestTenant Tenant, TestUser Admin, TestUser Phone)> TenantWithPhoneAsync(string slug, string extension)
    {
        var tenant = await CreateTenantAsync(slug);
        return (tenant, await CreateUserAsync("TENANT_ADMIN", tenant.Id), await CreateUserAsync("USER", tenant.Id, extension));
    }

    private static async Task CreateQueueAsync(TestUser admin, string name, TestUser member) =>
        await Expect(await admin.Client.PostAsJsonAsync("/api/v1/queues",
            new { name, strategy = "RINGALL", member_ring_seconds = 15, members = new[] { member.Id } }), HttpStatusCode.Created);

    [Test]
    public async Task Tenant_acme_x_with_queue_y_and_tenant_acme_with_queue_x_y_both_reach_the_switch()
    {
        // The attack: both queues used to be [acme-x-y]; both creations answered 201 and every apply after them failed.
        var (_, acmeXAdmin, acmeXPhone) = await TenantWithPhoneAsync("acme-x", "1001");
        await CreateQueueAsync(acmeXAdmin, "y", acmeXPhone);
        await CreateQueueAsync(AcmeAdmin, "x-y", Alice);

        await Expect(await PostApply(dryRun: true), HttpStatusCode.OK);
        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"));
        Assert.That(Nodes[0].Queues["acme-x_y"].Members.Single().Interface, Is.EqualTo("Local/1001@acme-x_members/n"));
        Assert.That(Nodes[0].Queues["acme_x-y"].Members.Single().Interface, Is.EqualTo("Local/1001@acme_members/n"));
        foreach (var queue in new[] { "acme-x_y", "acme_x-y" })
        {
            var leg = FakeCallWalk.MemberLeg(Nodes[0].Dialplan, Nodes[0].Queues[queue].Members.Single().Interface);
            Assert.That(leg.Select(s => s.Application), Is.EqualTo(new[] { "Dial", "Hangup" }), queue);
            Assert.That(leg[0].AppData, Does.StartWith(queue == "acme-x_y" ? "PJSIP/acme-x-1001," : "PJSIP/acme-1001,"), "each queue rings its own tenant's phone");
        }
    }

    [Test]
    public async Task A_tenant_admins_dry_run_shows_its_own_queue_and_not_the_lookalike_tenants()
    {
        var (_, lookalikeAdmin, lookalikePhone) = await TenantWithPhoneAsync("acme-queue1", "1001");
        await CreateQueueAsync(lookalikeAdmin, "theirs", lookalikePhone);
        await CreateQueueAsync(AcmeAdmin, "ours", Alice);

        var preview = await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.OK);

        var diff = preview.GetProperty("diff").GetString()!;
        Assert.That(diff, Does.Contain("[acme_ours]").And.Contain("[acme_queue_ours]"));
        Assert.That(diff, Does.Not.Contain("theirs").And.Not.Contain("acme-queue1"));
    }

    /// <summary>Writes a row the API would refuse (as a bug, an old release or a hand edit could), runs the test, removes it.</summary>
    private async Task WithRefusedExternalActionAsync(TestTenant tenant, Func<TestNumber, Task> test)
    {
        var number = (await SeedNumbersAsync(tenant.Id))[0];
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value) VALUES (gen_random_uuid(), @id, @t, 'EXTERNAL', 'System(id)');
                UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = @id;
                """, new { id = number.Id, t = tenant.Id });
        try
        {
            await test(number);
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DELETE FROM did_assignments WHERE phone_number_id = @id; UPDATE phone_numbers SET status = 'ALLOCATED' WHERE id = @id;", new { id = number.Id });
        }
    }

    private static void AssertConflict(JsonElement problem, int own, int elsewhere)
    {
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(409));
        Assert.That(problem.GetProperty("problems").GetArrayLength(), Is.EqualTo(own), problem.ToString());
        Assert.That(problem.GetProperty("problems_outside_your_tenant").GetInt32(), Is.EqualTo(elsewhere), problem.ToString());
    }

    [Test]
    public async Task Another_tenants_refused_data_does_not_stop_a_tenants_apply_and_is_told_to_nobody_else()
    {
        var (other, otherAdmin, _) = await TenantWithPhoneAsync(Unique("other"), "2001");
        await WithRefusedExternalActionAsync(other, async number =>
        {
            // A tenant admin's apply deploys its own tenant only: the other tenant's refused data is not part of it.
            foreach (var response in new[] { await PostApply(AcmeAdmin.Client), await PostApply(AcmeAdmin.Client, dryRun: true) })
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                var text = await response.Content.ReadAsStringAsync();
                Assert.That(text, Does.Not.Contain(other.Slug).And.Not.Contain(number.Number).And.Not.Contain("System").And.Not.Contain(other.Id.ToString()));
            }
            Assert.That(File.ReadAllText(Path.Combine(ConfigDirs[0], "extensions_custom.conf")), Does.Not.Contain(number.Number));

            var before = LiveFiles();
            var theirs = await Expect(await PostApply(otherAdmin.Client, dryRun: true), HttpStatusCode.Conflict);
            AssertConflict(theirs, own: 1, elsewhere: 0);
            Assert.That(theirs.GetProperty("problems")[0].GetString(), Does.Contain(number.Number).And.Contain("System"));

            var platform = await Expect(await PostApply(), HttpStatusCode.Conflict);
            AssertConflict(platform, own: 1, elsewhere: 0);
            Assert.That(LiveFiles(), Is.EqualTo(before), "nothing reached the switch");
        });
    }

    /// <summary>The simulator's PENDING dialplan is the caller's preview's: a tenant admin's own tenant pending, every other
    /// as deployed, so another tenant's refused data neither stops nor shows in its answer.</summary>
    [Test]
    public async Task Another_tenants_refused_data_does_not_stop_a_tenants_pending_simulation()
    {
        var (other, _, _) = await TenantWithPhoneAsync(Unique("other"), "2001");
        var mine = await RouteAnotherNumberAsync();
        var simulate = $"/api/v1/routing/simulate?number={Uri.EscapeDataString(mine.Number)}&source=PENDING";
        await WithRefusedExternalActionAsync(other, async number =>
        {
            var response = await AcmeAdmin.Client.GetAsync(simulate);
            var text = await response.Content.ReadAsStringAsync();
            var body = await Expect(response, HttpStatusCode.OK);
            Assert.That(body.GetProperty("outcome").GetProperty("type").GetString(), Is.EqualTo("USER"), text);
            Assert.That(text, Does.Not.Contain(other.Slug).And.Not.Contain(number.Number).And.Not.Contain("System"));

            AssertConflict(await Expect(await Admin.GetAsync(simulate), HttpStatusCode.Conflict), own: 1, elsewhere: 0);
        });
    }

    [Test]
    public async Task The_callers_own_refused_data_is_listed_in_its_409()
    {
        await WithRefusedExternalActionAsync(Acme, async number =>
        {
            var problem = await Expect(await PostApply(AcmeAdmin.Client), HttpStatusCode.Conflict);
            AssertConflict(problem, own: 1, elsewhere: 0);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(number.Number).And.Contain("APPLICATION_NOT_ALLOWED"));
        });
        Assert.That(Status(await ApplyOkAsync()), Is.AnyOf("SUCCEEDED", "NO_CHANGES"), "once the row is gone, apply works again");
    }
}
