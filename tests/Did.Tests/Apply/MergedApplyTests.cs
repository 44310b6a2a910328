using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Features.Apply;
using Did.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>Many applies at once: requests that arrive while an apply runs wait for the next run, which serves them all
/// with the union of their scopes; each caller gets the job that carried its change, and no change is left undeployed.
/// Concurrent steps are ordered by the fake switch's reload gate and by the queue's count of waiting requests.</summary>
public sealed class MergedApplyTests : ApplyFixtureBase
{
    /// <summary>The steps here are ordered by holding the switch's reload, so every change goes by reload.</summary>
    protected override int? LiveDeltaMaxChanges => 0;

    private string LiveText => File.ReadAllText(Path.Combine(ConfigDirs[0], "extensions_custom.conf"));

    private async Task<(TestTenant Tenant, TestUser Admin, TestUser User)> TenantAsync(string extension)
    {
        var tenant = await CreateTenantAsync();
        return (tenant, await CreateUserAsync("TENANT_ADMIN", tenant.Id), await CreateUserAsync("USER", tenant.Id, extension));
    }

    private async Task<TestNumber> RouteAsync(Guid tenantId, Guid userId)
    {
        var number = (await SeedNumbersAsync(tenantId))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = userId }), HttpStatusCode.Created);
        return number;
    }

    private async Task<long> JobCountAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM apply_jobs");
    }

    private static async Task<JsonElement> OkJob(Task<HttpResponseMessage> request)
    {
        var response = await request;
        var job = await Job(response);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), job.ToString());
        return job;
    }

    [Test]
    public async Task Tenant_applies_that_arrive_during_a_run_are_deployed_together_by_the_next_one()
    {
        var (beta, betaAdmin, betaUser) = await TenantAsync("2001");
        var (gamma, gammaAdmin, gammaUser) = await TenantAsync("3001");
        var (delta, _, deltaUser) = await TenantAsync("4001");
        await ApplyOkAsync();
        var jobsBefore = await JobCountAsync();

        var acmeChange = await RouteAnotherNumberAsync();
        var reload = Nodes[0].Faults.HoldReload = new FakeGate();
        var first = PostApply(AcmeAdmin.Client);
        await reload.Reached; // the first run has read its snapshot and holds the switch in its reload
        var betaChange = await RouteAsync(beta.Id, betaUser.Id);
        var gammaChange = await RouteAsync(gamma.Id, gammaUser.Id);
        var deltaPending = await RouteAsync(delta.Id, deltaUser.Id); // nobody asks to deploy delta
        var betaApply = PostApply(betaAdmin.Client);
        var gammaApply = PostApply(gammaAdmin.Client);
        var queue = App.Services.GetRequiredService<ApplyQueue>();
        await WaitUntilAsync(() => Task.FromResult(queue.Waiting == 2), "both applies wait for the next run");
        reload.Open();

        var acmeJob = await OkJob(first);
        var betaJob = await OkJob(betaApply);
        var gammaJob = await OkJob(gammaApply);
        Assert.That(await JobCountAsync() - jobsBefore, Is.EqualTo(2), "three requests, two runs");
        Assert.That(betaJob.GetProperty("id").GetGuid(), Is.EqualTo(gammaJob.GetProperty("id").GetGuid()), "one run carried both");
        Assert.That(betaJob.GetProperty("id").GetGuid(), Is.Not.EqualTo(acmeJob.GetProperty("id").GetGuid()));
        Assert.That(new[] { acmeJob, betaJob }.Select(Status), Is.All.EqualTo("SUCCEEDED"));
        Assert.That(betaJob.GetProperty("tenant_ids").EnumerateArray().Select(t => t.GetGuid()), Is.EqualTo(new[] { beta.Id }),
            "a tenant admin sees only its own tenant of a merged job");
        Assert.That(LiveText, Does.Contain(acmeChange.Number).And.Contain(betaChange.Number).And.Contain(gammaChange.Number));
        Assert.That(LiveText, Does.Not.Contain(deltaPending.Number), "the union of the scopes, not the platform");

        var merged = await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{betaJob.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
        Assert.That(merged.GetProperty("tenant_ids").EnumerateArray().Select(t => t.GetGuid()), Is.EquivalentTo(new[] { beta.Id, gamma.Id }));
        foreach (var admin in new[] { betaAdmin, gammaAdmin })
            await Expect(await admin.Client.GetAsync($"/api/v1/apply/jobs/{betaJob.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
        await Expect(await betaAdmin.Client.GetAsync($"/api/v1/apply/jobs/{acmeJob.GetProperty("id").GetGuid()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_platform_apply_merged_with_a_tenants_deploys_the_whole_platform_to_both()
    {
        var (beta, betaAdmin, betaUser) = await TenantAsync("2001");
        var (delta, _, deltaUser) = await TenantAsync("4001");
        await ApplyOkAsync();

        await RouteAnotherNumberAsync();
        var reload = Nodes[0].Faults.HoldReload = new FakeGate();
        var first = PostApply(AcmeAdmin.Client);
        await reload.Reached;
        var betaChange = await RouteAsync(beta.Id, betaUser.Id);
        var deltaChange = await RouteAsync(delta.Id, deltaUser.Id);
        var betaApply = PostApply(betaAdmin.Client);
        var platformApply = PostApply();
        var queue = App.Services.GetRequiredService<ApplyQueue>();
        await WaitUntilAsync(() => Task.FromResult(queue.Waiting == 2), "both applies wait for the next run");
        reload.Open();

        await OkJob(first);
        var betaJob = await OkJob(betaApply);
        var platformJob = await OkJob(platformApply);
        Assert.That(platformJob.GetProperty("id").GetGuid(), Is.EqualTo(betaJob.GetProperty("id").GetGuid()));
        Assert.That(platformJob.GetProperty("tenant_ids").ValueKind, Is.EqualTo(JsonValueKind.Null), "the whole platform");
        Assert.That(LiveText, Does.Contain(betaChange.Number).And.Contain(deltaChange.Number));
    }

    [Test]
    public async Task One_tenants_refused_data_does_not_stop_the_tenants_merged_with_it()
    {
        var (beta, betaAdmin, _) = await TenantAsync("2001");
        var (gamma, gammaAdmin, gammaUser) = await TenantAsync("3001");
        await ApplyOkAsync();

        await RouteAnotherNumberAsync();
        var reload = Nodes[0].Faults.HoldReload = new FakeGate();
        var first = PostApply(AcmeAdmin.Client);
        await reload.Reached;
        var refused = (await SeedNumbersAsync(beta.Id))[0];
        await using (var conn = await Db.OpenConnectionAsync()) // data the API would refuse, as if written around it
            await conn.ExecuteAsync("""
                INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value) VALUES (gen_random_uuid(), @id, @t, 'EXTERNAL', 'System(id)');
                UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = @id;
                """, new { id = refused.Id, t = beta.Id });
        try
        {
            var gammaChange = await RouteAsync(gamma.Id, gammaUser.Id);
            var betaApply = PostApply(betaAdmin.Client);
            var gammaApply = PostApply(gammaAdmin.Client);
            var queue = App.Services.GetRequiredService<ApplyQueue>();
            await WaitUntilAsync(() => Task.FromResult(queue.Waiting == 2), "both applies wait for the next run");
            reload.Open();

            await OkJob(first);
            var betaProblem = await Expect(await betaApply, HttpStatusCode.Conflict);
            Assert.That(betaProblem.GetProperty("problems")[0].GetString(), Does.Contain(refused.Number));
            var gammaJob = await OkJob(gammaApply);
            Assert.That(Status(gammaJob), Is.EqualTo("SUCCEEDED"));
            Assert.That(LiveText, Does.Contain(gammaChange.Number).And.Not.Contain(refused.Number));
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DELETE FROM did_assignments WHERE phone_number_id = @id; UPDATE phone_numbers SET status = 'ALLOCATED' WHERE id = @id;", new { id = refused.Id });
        }
    }
}
