using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>What a tenant admin sees of applies: the jobs it started or that changed its tenant, steps that name no server path, and a preview of
/// its own part of the platform only.</summary>
public sealed class ApplyTenantViewTests : ApplyFixtureBase
{
    [Test]
    public async Task A_tenant_admin_lists_and_reads_the_jobs_it_started_and_those_that_changed_its_tenant()
    {
        await RouteAnotherNumberAsync();
        var mine = await Job(await PostApply(AcmeAdmin.Client));
        var colleague = await CreateUserAsync("TENANT_ADMIN", Acme.Id);
        await RouteAnotherNumberAsync();
        var theirs = await Job(await PostApply(colleague.Client));
        var platform = await ApplyOkAsync();
        Assert.That(Status(theirs), Is.EqualTo("SUCCEEDED"), theirs.ToString());

        var list = await Expect(await AcmeAdmin.Client.GetAsync("/api/v1/apply/jobs?page_size=200"), HttpStatusCode.OK);
        var items = list.GetProperty("items").EnumerateArray().ToDictionary(j => j.GetProperty("id").GetGuid());
        Assert.That(items[mine.GetProperty("id").GetGuid()].GetProperty("requested_by").GetGuid(), Is.EqualTo(AcmeAdmin.Id));
        Assert.That(items[theirs.GetProperty("id").GetGuid()].GetProperty("requested_by").ValueKind, Is.EqualTo(JsonValueKind.Null),
            "a colleague's job changed acme's routes: acme's admin reads it, without its requester");
        Assert.That(items.Keys, Does.Not.Contain(platform.GetProperty("id").GetGuid()), "the platform's apply changed nothing of acme");
        await using var conn = await Db.OpenConnectionAsync();
        var readable = await conn.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM apply_jobs j
            WHERE j.requested_by = @Id OR @Id = ANY(j.callers)
               OR j.id IN (SELECT (after->>'job_id')::uuid FROM audit_logs WHERE action = 'APPLY' AND entity_type = 'TENANT' AND tenant_id = @tenant)
            """, new { AcmeAdmin.Id, tenant = Acme.Id });
        Assert.That(list.GetProperty("total").GetInt64(), Is.EqualTo(readable));

        await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{platform.GetProperty("id").GetGuid()}"), HttpStatusCode.NotFound);
        foreach (var readableJob in new[] { mine, theirs })
            await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{readableJob.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task Job_steps_name_files_and_nodes_never_server_paths()
    {
        await ApplyOkAsync();
        await RouteAnotherNumberAsync();
        var job = await Job(await PostApply(AcmeAdmin.Client));
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        var text = job.ToString();
        Assert.That(text, Does.Not.Contain(ConfigDirs[0]).And.Not.Contain(WorkDir).And.Not.Contain(Path.GetTempPath()));
        var steps = job.GetProperty("steps").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!, x => x.GetProperty("output").GetString());
        Assert.That(steps["write:asterisk"], Is.EqualTo("Wrote extensions_custom.conf and queues_custom.conf."));
        Assert.That(steps["backup:asterisk"], Does.Match(@"^extensions_custom\.conf\.\d{8}T\d{6}Z\.[0-9a-f]{32}, queues_custom\.conf\.\d{8}T\d{6}Z\.[0-9a-f]{32}$"));
    }

    [Test]
    public async Task A_tenant_admins_preview_counts_only_its_own_numbers_and_changes()
    {
        await ApplyOkAsync();
        var other = await CreateTenantAsync();
        var bob = await CreateUserAsync("USER", other.Id, "2002");
        var theirs = (await SeedNumbersAsync(other.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{theirs.Id}/assign", new { assigned_type = "USER", assigned_id = bob.Id }), HttpStatusCode.Created);

        var platform = await Expect(await PostApply(dryRun: true), HttpStatusCode.OK);
        Assert.That(platform.GetProperty("changes").GetBoolean(), Is.True);
        Assert.That(platform.GetProperty("content_sha256").GetString(), Has.Length.EqualTo(64));

        var tenant = await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.OK);
        Assert.That(tenant.GetProperty("changes").GetBoolean(), Is.False, "only another tenant changed: " + tenant);
        Assert.That(tenant.GetProperty("diff").GetString(), Is.Empty);
        var stats = tenant.GetProperty("diff_stats");
        Assert.That(new[] { "lines_added", "lines_removed", "sections_added", "sections_removed", "sections_changed" }.Select(k => stats.GetProperty(k).GetInt32()),
            Is.All.Zero, stats.ToString());
        Assert.That(tenant.GetProperty("content_sha256").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(tenant.GetProperty("lint_findings").GetArrayLength(), Is.Zero);
        await using var conn = await Db.OpenConnectionAsync();
        var acmeNumbers = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM did_assignments WHERE tenant_id = @Id", new { Acme.Id });
        Assert.That(tenant.GetProperty("numbers_routed").GetInt32(), Is.EqualTo(acmeNumbers));
        Assert.That(platform.GetProperty("numbers_routed").GetInt32(), Is.GreaterThan(acmeNumbers));

        var mine = await RouteAnotherNumberAsync();
        tenant = await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.OK);
        Assert.That(tenant.GetProperty("changes").GetBoolean(), Is.True);
        Assert.That(tenant.GetProperty("diff").GetString(), Does.Contain($"+exten => {mine.Number},1,").And.Not.Contain(theirs.Number));
        Assert.That(tenant.GetProperty("diff_stats").GetProperty("lines_added").GetInt32(), Is.EqualTo(1));
        var sections = tenant.GetProperty("diff_stats");
        Assert.That(sections.GetProperty("sections_changed").GetInt32() + sections.GetProperty("sections_added").GetInt32(), Is.EqualTo(1),
            "one shard shows one of its lines");
    }

    /// <summary>Another tenant with a routed number, deployed; then acme routes one more number, pending.</summary>
    private async Task<(TestTenant Other, TestNumber Theirs)> DeployAnotherTenantThenRouteAcmesNumberAsync()
    {
        var other = await CreateTenantAsync();
        var bob = await CreateUserAsync("USER", other.Id, "2002");
        var theirs = (await SeedNumbersAsync(other.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{theirs.Id}/assign", new { assigned_type = "USER", assigned_id = bob.Id }), HttpStatusCode.Created);
        await ApplyOkAsync();
        await RouteAnotherNumberAsync();
        return (other, theirs);
    }

    [Test]
    public async Task A_tenant_admins_job_shows_no_platform_wide_figures()
    {
        await DeployAnotherTenantThenRouteAcmesNumberAsync();

        var job = await Job(await PostApply(AcmeAdmin.Client));
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        var id = job.GetProperty("id").GetGuid();
        var full = await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK);
        Assert.That(full.GetProperty("numbers_routed").GetInt32(), Is.GreaterThan(1), "the platform's view counts both tenants");
        Assert.That(JobSteps(full)["snapshot"].Output, Does.Match(@"^\d+ tenants, \d+ assigned numbers\.$"));

        var listed = (await Expect(await AcmeAdmin.Client.GetAsync("/api/v1/apply/jobs"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Single(j => j.GetProperty("id").GetGuid() == id);
        foreach (var seen in new[] { job, listed, await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK) })
        {
            foreach (var figure in new[] { "numbers_routed", "content_sha256", "diff_stats" })
                Assert.That(seen.GetProperty(figure).ValueKind, Is.EqualTo(JsonValueKind.Null), figure);
            var steps = JobSteps(seen);
            Assert.That(steps.Keys, Is.EquivalentTo(JobSteps(full).Keys), "every step is named, with its status");
            foreach (var name in new[] { "snapshot", "render", "lint", "diff:asterisk", "plan:asterisk", "verify:asterisk" }.Where(steps.ContainsKey))
                Assert.That(steps[name].Output, Is.EqualTo("Output shown to platform admins and support: it describes the whole platform."), name);
            Assert.That(steps["write:asterisk"].Output, Is.EqualTo("Wrote extensions_custom.conf and queues_custom.conf."));
            Assert.That(seen.ToString(), Does.Not.Contain(full.GetProperty("content_sha256").GetString()!));
        }
    }

    [Test]
    public async Task A_tenant_admins_failed_job_names_no_other_tenants_context()
    {
        var (other, theirs) = await DeployAnotherTenantThenRouteAcmesNumberAsync();
        // The live file touched since the last apply: what the switch runs is unknown, so the reload verifies every context.
        File.SetLastWriteTimeUtc(Path.Combine(ConfigDirs[0], "extensions_custom.conf"), DateTime.UtcNow.AddMinutes(-5));
        Nodes[0].Faults.ReloadDropsContexts.Add($"tenant-{other.Slug}");

        var response = await PostApply(AcmeAdmin.Client);
        Assert.That((int)response.StatusCode, Is.EqualTo(502));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var job = problem.GetProperty("job");
        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        var full = await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{job.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
        Assert.That(full.GetProperty("error").GetString(), Does.Contain($"tenant-{other.Slug}"), "the platform's view names the context");

        var seen = new[] { problem.ToString(), (await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{job.GetProperty("id").GetGuid()}"), HttpStatusCode.OK)).ToString() };
        Assert.That(seen, Is.All.Not.Contain($"tenant-{other.Slug}").And.Not.Contain(theirs.Number));
        Assert.That(job.GetProperty("error").GetString(), Does.StartWith("The apply ended ROLLED_BACK"));
        Assert.That(JobSteps(job)["verify:asterisk"].Status, Is.EqualTo("FAILED"));
    }

    [Test]
    public async Task A_tenant_admin_moved_to_another_tenant_no_longer_reads_its_old_tenants_jobs()
    {
        var mover = await CreateUserAsync("TENANT_ADMIN", Acme.Id);
        await RouteAnotherNumberAsync();
        var old = await Job(await PostApply(mover.Client));
        Assert.That(Status(old), Is.EqualTo("SUCCEEDED"), old.ToString());
        var other = await CreateTenantAsync();
        await Expect(await Admin.PatchAsJsonAsync($"/api/v1/users/{mover.Id}", new { tenant_id = other.Id }), HttpStatusCode.OK);
        var moved = await SignInAsync(mover.Email, mover.Password);

        var list = await Expect(await moved.GetAsync("/api/v1/apply/jobs"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()), Does.Not.Contain(old.GetProperty("id").GetGuid()));
        Assert.That(list.GetProperty("total").GetInt64(), Is.Zero);
        await Expect(await moved.GetAsync($"/api/v1/apply/jobs/{old.GetProperty("id").GetGuid()}"), HttpStatusCode.NotFound);
        var colleague = await Expect(await AcmeAdmin.Client.GetAsync("/api/v1/apply/jobs?page_size=200"), HttpStatusCode.OK);
        Assert.That(colleague.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()), Does.Contain(old.GetProperty("id").GetGuid()),
            "the job changed acme's routes: acme's admins read it");
    }
}
