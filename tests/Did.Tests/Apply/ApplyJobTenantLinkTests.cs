using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>A tenant admin reads the jobs that changed its tenant's live routing, which its audit log names, whoever
/// applied them; a job that changed nothing of its tenant stays another's.</summary>
public sealed class ApplyJobTenantLinkTests : ApplyFixtureBase
{
    /// <summary>Another tenant with its own admin and a number routed to its own user, deployed.</summary>
    private async Task<(TestTenant Tenant, TestUser Admin, TestNumber Number, TestUser User)> DeployedTenantAsync()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var user = await CreateUserAsync("USER", tenant.Id, "2002");
        var number = (await SeedNumbersAsync(tenant.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = user.Id }), HttpStatusCode.Created);
        await ApplyOkAsync();
        return (tenant, admin, number, user);
    }

    private static async Task<List<Guid>> ListedAsync(HttpClient client)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await Expect(await client.GetAsync($"/api/v1/apply/jobs?page_size=200{(cursor is null ? "" : "&cursor=" + cursor)}"), HttpStatusCode.OK);
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
        } while (cursor is not null);
        return ids;
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_platform_apply_that_changed_a_tenant_is_read_by_its_admin_without_platform_detail(bool scopedToTheTenant)
    {
        var (_, otherAdmin, _, _) = await DeployedTenantAsync();
        await RouteAnotherNumberAsync();
        var job = await Job(await Admin.PostAsync(scopedToTheTenant ? $"/api/v1/apply?tenant_id={Acme.Id}" : "/api/v1/apply", null));
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        var id = job.GetProperty("id").GetGuid();

        var audit = await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/audit-logs?entity_type=TENANT&entity_id={Acme.Id}&page_size=200"), HttpStatusCode.OK);
        Assert.That(audit.GetProperty("items").EnumerateArray().Where(r => r.GetProperty("action").GetString() == "APPLY")
            .Select(r => r.GetProperty("after").GetProperty("job_id").GetGuid()), Does.Contain(id), "the tenant's audit log names the job");

        var seen = await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK);
        foreach (var figure in new[] { "numbers_routed", "content_sha256", "diff_stats", "requested_by" })
            Assert.That(seen.GetProperty(figure).ValueKind, Is.EqualTo(JsonValueKind.Null), figure);
        Assert.That(JobSteps(seen)["snapshot"].Output, Is.EqualTo("Output shown to platform admins and support: it describes the whole platform."));
        Assert.That(await ListedAsync(AcmeAdmin.Client), Does.Contain(id));

        await Expect(await otherAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.NotFound);
        Assert.That(await ListedAsync(otherAdmin.Client), Does.Not.Contain(id));
    }

    [Test]
    public async Task A_platform_apply_that_changed_nothing_of_a_tenant_stays_invisible_to_its_admin()
    {
        var (other, otherAdmin, _, user) = await DeployedTenantAsync();
        var theirs = (await SeedNumbersAsync(other.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{theirs.Id}/assign", new { assigned_type = "USER", assigned_id = user.Id }), HttpStatusCode.Created);
        var changedOther = await ApplyOkAsync();
        var changedNothing = await ApplyOkAsync();
        Assert.That(Status(changedOther), Is.EqualTo("SUCCEEDED"), changedOther.ToString());
        Assert.That(Status(changedNothing), Is.EqualTo("NO_CHANGES"), changedNothing.ToString());

        var acmes = await ListedAsync(AcmeAdmin.Client);
        foreach (var job in new[] { changedOther, changedNothing })
        {
            var id = job.GetProperty("id").GetGuid();
            await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.NotFound);
            Assert.That(acmes, Does.Not.Contain(id));
        }
        var id2 = changedOther.GetProperty("id").GetGuid();
        await Expect(await otherAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id2}"), HttpStatusCode.OK);
        Assert.That(await ListedAsync(otherAdmin.Client), Does.Contain(id2));
    }
}
