using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>What the render leaves out of the dialplan (a rule or failover whose EXTERNAL Goto leads nowhere) is shown
/// where operators look: the preview's and the apply job's <c>warnings</c>, each naming its tenant and number; a tenant
/// admin sees only its own tenant's. The first test runs on the fixture's clean data.</summary>
public sealed class ApplyWarningsTests : ApplyFixtureBase
{
    private TestNumber? _stale;

    private static List<JsonElement> Warnings(JsonElement body) => [.. body.GetProperty("warnings").EnumerateArray()];

    /// <summary>A number of Acme with a +44 rule to Goto(tenant-acme,s,1) (the tenant's context has no extension s) and a
    /// failover to Goto(tenant-acme,9999,1) (no user 9999): both accepted, both left out by the render.</summary>
    private async Task<TestNumber> StaleRouteAsync()
    {
        if (_stale is not null) return _stale;
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }), HttpStatusCode.Created);
        await Expect(await Admin.PutAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new
        {
            assigned_type = "USER", assigned_id = Alice.Id,
            failover = new { type = "EXTERNAL", value = $"Goto(tenant-{Acme.Slug},9999,1)" },
            rules = new[] { new { caller_id_prefix = "+44", destination = new { type = "EXTERNAL", value = $"Goto(tenant-{Acme.Slug},s,1)" } } },
        }), HttpStatusCode.OK);
        return _stale = number;
    }

    private void AssertNamesTheStaleRoute(List<JsonElement> warnings, string number)
    {
        var mine = warnings.Where(w => w.GetProperty("number").GetString() == number).ToList();
        Assert.That(mine.Select(w => w.GetProperty("tenant_id").GetGuid()), Is.All.EqualTo(Acme.Id));
        Assert.That(mine.Select(w => w.GetProperty("text").GetString()), Is.EquivalentTo(new[]
        {
            $"number '{number}' failover: EXTERNAL Goto(tenant-{Acme.Slug},9999,1) leads nowhere; no failover",
            $"number '{number}' rule 0 destination: EXTERNAL Goto(tenant-{Acme.Slug},s,1) leads nowhere; rule left out",
        }));
    }

    [Test, Order(1)]
    public async Task A_clean_platform_previews_and_applies_with_an_empty_warnings_array()
    {
        Assert.That(_stale, Is.Null, "runs before any stale route exists");
        var preview = await Expect(await PostApply(dryRun: true), HttpStatusCode.OK);
        Assert.That(preview.GetProperty("warnings").ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(Warnings(preview), Is.Empty);

        var job = await ApplyOkAsync();
        Assert.That(Warnings(job), Is.Empty);
        Assert.That(JobSteps(job)["render"].Output, Does.Not.Contain("warning"));
        var read = await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{job.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
        Assert.That(Warnings(read), Is.Empty);
    }

    [Test, Order(2)]
    public async Task A_rule_and_a_failover_leading_nowhere_show_in_the_preview_and_the_job_naming_the_number()
    {
        var stale = await StaleRouteAsync();

        AssertNamesTheStaleRoute(Warnings(await Expect(await PostApply(dryRun: true), HttpStatusCode.OK)), stale.Number);
        AssertNamesTheStaleRoute(Warnings(await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.OK)), stale.Number);

        var job = await Job(await PostApply(AcmeAdmin.Client));
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        AssertNamesTheStaleRoute(Warnings(job), stale.Number);
        var id = job.GetProperty("id").GetGuid();
        Assert.That(JobSteps(await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK))["render"].Output, Does.Contain("2 warning(s)"),
            "the render step counts the platform's warnings, for platform roles");
        AssertNamesTheStaleRoute(Warnings(await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK)), stale.Number);
        AssertNamesTheStaleRoute(Warnings(await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK)), stale.Number);
        var listed = (await Expect(await AcmeAdmin.Client.GetAsync("/api/v1/apply/jobs"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Single(j => j.GetProperty("id").GetGuid() == id);
        AssertNamesTheStaleRoute(Warnings(listed), stale.Number);
    }

    [Test, Order(3)]
    public async Task Another_tenants_admin_sees_none_of_them_though_its_job_rendered_them()
    {
        var stale = await StaleRouteAsync();
        await ApplyOkAsync(); // Acme's stale route is deployed: every later render of any scope renders it again
        var other = await CreateTenantAsync();
        var otherAdmin = await CreateUserAsync("TENANT_ADMIN", other.Id);
        var bob = await CreateUserAsync("USER", other.Id, "2002");
        var theirs = (await SeedNumbersAsync(other.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{theirs.Id}/assign", new { assigned_type = "USER", assigned_id = bob.Id }), HttpStatusCode.Created);

        var preview = await Expect(await PostApply(otherAdmin.Client, dryRun: true), HttpStatusCode.OK);
        Assert.That(Warnings(preview), Is.Empty, preview.ToString());

        var job = await Job(await PostApply(otherAdmin.Client));
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        Assert.That(Warnings(job), Is.Empty, "Acme's warnings are not the other tenant's to see");
        var id = job.GetProperty("id").GetGuid();
        Assert.That(Warnings(await Expect(await otherAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK)), Is.Empty);
        var list = await Expect(await otherAdmin.Client.GetAsync("/api/v1/apply/jobs"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("items").EnumerateArray().SelectMany(Warnings), Is.Empty);
        Assert.That(job.ToString(), Does.Not.Contain(stale.Number));
        // The job did render them (Acme as last deployed): the platform admin reads them on the same job.
        AssertNamesTheStaleRoute(Warnings(await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK)), stale.Number);
    }

    private static void AssertListsTheFirstAndCountsAll(JsonElement body, int total, string what)
    {
        var texts = Warnings(body).Select(w => w.GetProperty("text").GetString()).ToList();
        Assert.That(texts.Count, Is.EqualTo(1_000), what);
        Assert.That(texts, Is.Ordered.Using((IComparer<string?>)StringComparer.Ordinal), what);
        Assert.That(body.GetProperty("warnings_total").GetInt32(), Is.EqualTo(total), what);
    }

    /// <summary>Stale data behind many numbers gives a warning per number: the preview and the job list the first 1,000,
    /// in their order, and count them all beside; the job's row keeps no more than it lists.</summary>
    [Test, Order(4)]
    public async Task More_warnings_than_are_listed_show_the_first_1000_in_order_and_count_them_all()
    {
        await StaleRouteAsync(); // 2 warnings
        var numbers = await SeedNumbersAsync(Acme.Id, 1_000);
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value)
                SELECT gen_random_uuid(), id, @tenant, 'EXTERNAL', @value FROM unnest(@ids) AS x(id);
                UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = ANY(@ids);
                """, new { tenant = Acme.Id, value = $"Goto(tenant-{Acme.Slug},s,1)", ids = numbers.Select(n => n.Id).ToArray() });
        const int total = 1_002;

        AssertListsTheFirstAndCountsAll(await Expect(await PostApply(dryRun: true), HttpStatusCode.OK), total, "platform preview");
        AssertListsTheFirstAndCountsAll(await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.OK), total, "Acme's preview");
        var job = await Job(await PostApply(AcmeAdmin.Client));
        Assert.That(Status(job), Is.EqualTo("NO_CHANGES"), "numbers whose route leads nowhere are not routed");
        AssertListsTheFirstAndCountsAll(job, total, "Acme's job");
        var id = job.GetProperty("id").GetGuid();
        AssertListsTheFirstAndCountsAll(await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK), total, "job read by the platform");
        AssertListsTheFirstAndCountsAll(await Expect(await AcmeAdmin.Client.GetAsync($"/api/v1/apply/jobs/{id}"), HttpStatusCode.OK), total, "job read by Acme");
        await using (var conn = await Db.OpenConnectionAsync())
            Assert.That(await conn.QuerySingleAsync<(int, int)>(
                "SELECT jsonb_array_length(warnings), warnings_total FROM apply_jobs WHERE id = @id", new { id }), Is.EqualTo((1_000, total)));
    }
}
