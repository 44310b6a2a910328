using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Features.Apply;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>A tenant admin deploys its own tenant, not everyone's: every other tenant stays exactly as last deployed, a
/// platform admin deploys all or one tenant, the preview shows what the caller's apply would deploy, and each tenant
/// whose live routing changed gets an audit row naming the job and the actor.</summary>
public sealed class ScopedApplyTests : ApplyFixtureBase
{
    private string LiveText => File.ReadAllText(Path.Combine(ConfigDirs[0], "extensions_custom.conf"));

    private async Task<(TestTenant Tenant, TestUser Admin, TestUser Bob)> OtherTenantAsync()
    {
        var other = await CreateTenantAsync();
        return (other, await CreateUserAsync("TENANT_ADMIN", other.Id), await CreateUserAsync("USER", other.Id, "2002"));
    }

    private async Task<TestNumber> RouteAsync(Guid tenantId, Guid userId)
    {
        var number = (await SeedNumbersAsync(tenantId))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = userId }), HttpStatusCode.Created);
        return number;
    }

    private async Task<string> LiveOutcomeAsync(string number)
    {
        var body = await Expect(await Admin.GetAsync($"/api/v1/routing/simulate?number={Uri.EscapeDataString(number)}&source=LIVE"), HttpStatusCode.OK);
        return body.GetProperty("outcome").GetProperty("type").GetString()!;
    }

    [Test]
    public async Task A_tenant_admins_apply_keeps_another_tenants_quarantine_intercept_and_deploys_its_own()
    {
        var (other, _, bob) = await OtherTenantAsync();
        var theirs = await RouteAsync(other.Id, bob.Id);
        var mine = await RouteAnotherNumberAsync();
        await ApplyOkAsync();
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{theirs.Id}/deallocate", null), HttpStatusCode.OK);
        await ApplyOkAsync();
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{mine.Id}/deallocate", null), HttpStatusCode.OK);

        var job = await Job(await PostApply(AcmeAdmin.Client));

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        Assert.That(await LiveOutcomeAsync(theirs.Number), Is.EqualTo("QUARANTINE"), "the other tenant's number stays intercepted");
        Assert.That(await LiveOutcomeAsync(mine.Number), Is.EqualTo("QUARANTINE"), "the tenant's own number taken back is intercepted");
    }

    [Test]
    public async Task A_tenant_admins_apply_leaves_another_tenants_pending_change_undeployed_until_a_platform_apply()
    {
        var (other, _, bob) = await OtherTenantAsync();
        var deployed = await RouteAsync(other.Id, bob.Id);
        await ApplyOkAsync();
        var pending = await RouteAsync(other.Id, bob.Id);
        var mine = await RouteAnotherNumberAsync();

        var job = await Job(await PostApply(AcmeAdmin.Client));
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        Assert.That(job.GetProperty("tenant_ids").EnumerateArray().Select(t => t.GetGuid()), Is.EqualTo(new[] { Acme.Id }));
        Assert.That(LiveText, Does.Contain($"exten => {mine.Number},1,Goto(tenant-acme,1001,1)"));
        Assert.That(LiveText, Does.Contain($"exten => {deployed.Number},1,Goto(tenant-{other.Slug},2002,1)"), "the other tenant stays as deployed");
        Assert.That(LiveText, Does.Not.Contain(pending.Number), "the other tenant's pending change stays pending");
        Assert.That(await LiveOutcomeAsync(pending.Number), Is.EqualTo("FALLBACK"));
        Assert.That(await LiveOutcomeAsync(deployed.Number), Is.EqualTo("USER"));
        Assert.That(await LiveOutcomeAsync(mine.Number), Is.EqualTo("USER"));
        var installed = Nodes[0].Dialplan.Contexts.Values.SelectMany(c => c.Extensions).Select(e => e.Name).ToList();
        Assert.That(installed, Does.Contain(mine.Number).And.Contain(deployed.Number).And.Not.Contain(pending.Number), "what the switch runs");

        var platform = await ApplyOkAsync();
        Assert.That(Status(platform), Is.EqualTo("SUCCEEDED"));
        Assert.That(platform.GetProperty("tenant_ids").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(LiveText, Does.Contain($"exten => {pending.Number},1,Goto(tenant-{other.Slug},2002,1)"));
        Assert.That(await LiveOutcomeAsync(pending.Number), Is.EqualTo("USER"));
    }

    [Test]
    public async Task A_platform_admin_deploys_one_tenant_with_tenant_id()
    {
        var (other, _, bob) = await OtherTenantAsync();
        await ApplyOkAsync();
        var theirs = await RouteAsync(other.Id, bob.Id);
        var mine = await RouteAnotherNumberAsync();

        var response = await Admin.PostAsync($"/api/v1/apply?tenant_id={other.Id}", null);
        var job = await Job(response);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), job.ToString());
        Assert.That(job.GetProperty("tenant_ids").EnumerateArray().Select(t => t.GetGuid()), Is.EqualTo(new[] { other.Id }));
        Assert.That(LiveText, Does.Contain(theirs.Number).And.Not.Contain(mine.Number));
    }

    [Test]
    public async Task The_preview_shows_exactly_what_the_callers_apply_would_deploy()
    {
        var (other, otherAdmin, bob) = await OtherTenantAsync();
        await ApplyOkAsync();
        var theirs = await RouteAsync(other.Id, bob.Id);
        var mine = await RouteAnotherNumberAsync();

        var acme = await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.OK);
        Assert.That(acme.GetProperty("diff").GetString(), Does.Contain($"+exten => {mine.Number},1,").And.Not.Contain(theirs.Number));
        var one = await Expect(await Admin.PostAsync($"/api/v1/apply/preview?tenant_id={other.Id}", null), HttpStatusCode.OK);
        Assert.That(one.GetProperty("diff").GetString(), Does.Contain($"+exten => {theirs.Number},1,").And.Not.Contain(mine.Number));
        // The number's line, and the other tenant's context now that a number reaches Bob (a context holds only users
        // something reaches): every added line is theirs.
        var added = one.GetProperty("diff").GetString()!.Split('\n').Where(l => l.StartsWith('+') && !l.StartsWith("+++")).Select(l => l[1..]).ToList();
        Assert.That(added, Has.Some.StartsWith($"exten => {theirs.Number},1,").And.Some.EqualTo($"[tenant-{other.Slug}]"), one.ToString());
        Assert.That(added, Has.None.Contain("tenant-acme").And.None.Contain(mine.Number), one.ToString());
        Assert.That(one.GetProperty("diff_stats").GetProperty("sections_added").GetInt32(), Is.EqualTo(1), one.ToString());

        var preview = one.GetProperty("content_sha256").GetString();
        var job = await Job(await Admin.PostAsync($"/api/v1/apply?tenant_id={other.Id}", null));
        Assert.That(job.GetProperty("content_sha256").GetString(), Is.EqualTo(preview), "the apply deploys what the preview rendered");
        var after = await Expect(await PostApply(otherAdmin.Client, dryRun: true), HttpStatusCode.OK);
        Assert.That(after.GetProperty("changes").GetBoolean(), Is.False, after.ToString());
    }

    [Test]
    public async Task Each_tenant_whose_live_routing_changed_gets_an_audit_row_naming_the_job_and_the_actor()
    {
        var (other, otherAdmin, bob) = await OtherTenantAsync();
        await ApplyOkAsync();
        await RouteAsync(other.Id, bob.Id);
        await RouteAnotherNumberAsync();

        var job = await Job(await PostApply(otherAdmin.Client));
        var id = job.GetProperty("id").GetGuid();
        await using var conn = await Db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<(Guid? Actor, Guid? Tenant, Guid? Entity, string After)>("""
            SELECT actor_id, tenant_id, entity_id, after::text FROM audit_logs
            WHERE action = 'APPLY' AND entity_type = 'TENANT' AND (after->>'job_id')::uuid = @id
            """, new { id })).ToList();
        Assert.That(rows, Has.Count.EqualTo(1), "only the tenant deployed");
        Assert.That((rows[0].Actor, rows[0].Tenant, rows[0].Entity), Is.EqualTo(((Guid?)otherAdmin.Id, (Guid?)other.Id, (Guid?)other.Id)));
        var after = JsonDocument.Parse(rows[0].After).RootElement;
        Assert.That(after.GetProperty("job_id").GetGuid(), Is.EqualTo(id));

        var tenantLog = await Expect(await otherAdmin.Client.GetAsync($"/api/v1/audit-logs?entity_type=TENANT&entity_id={other.Id}"), HttpStatusCode.OK);
        Assert.That(tenantLog.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()), Does.Contain("APPLY"), "the tenant sees who deployed its changes");

        var unchanged = await Job(await PostApply(otherAdmin.Client));
        Assert.That(Status(unchanged), Is.EqualTo("NO_CHANGES"));
        var more = await conn.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM audit_logs WHERE action = 'APPLY' AND entity_type = 'TENANT' AND (after->>'job_id')::uuid = @id
            """, new { id = unchanged.GetProperty("id").GetGuid() });
        Assert.That(more, Is.Zero, "nothing live changed");
    }

    [Test]
    public async Task Naming_another_tenant_or_an_unknown_one_is_a_404()
    {
        var (other, _, _) = await OtherTenantAsync();
        await Expect(await AcmeAdmin.Client.PostAsync($"/api/v1/apply?tenant_id={other.Id}", null), HttpStatusCode.NotFound);
        await Expect(await AcmeAdmin.Client.PostAsync($"/api/v1/apply/preview?tenant_id={other.Id}", null), HttpStatusCode.NotFound);
        await Expect(await Admin.PostAsync($"/api/v1/apply?tenant_id={Guid.NewGuid()}", null), HttpStatusCode.NotFound);
        await Expect(await AcmeAdmin.Client.PostAsync($"/api/v1/apply/preview?tenant_id={Acme.Id}", null), HttpStatusCode.OK);
        var bad = await Expect(await Admin.PostAsync("/api/v1/apply?tenant_id=acme", null), HttpStatusCode.BadRequest);
        Assert.That(bad.ToString(), Does.Contain("tenant_id"));
    }

    [Test]
    public async Task A_tenant_apply_is_refused_until_a_platform_apply_records_what_is_deployed()
    {
        await ApplyOkAsync();
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("DELETE FROM deployed_tenants; DELETE FROM deployed_dialplan;"); // as after an upgrade
        var before = LiveFiles();
        await RouteAnotherNumberAsync();
        var problem = await Expect(await PostApply(AcmeAdmin.Client), HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("A platform admin must apply the whole platform once"));
        await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.Conflict);
        Assert.That(LiveFiles(), Is.EqualTo(before));

        await ApplyOkAsync();
        await RouteAnotherNumberAsync();
        Assert.That(Status(await Job(await PostApply(AcmeAdmin.Client))), Is.EqualTo("SUCCEEDED"));
    }
}

/// <summary>A tenant's admins may apply once per Apply:TenantMinIntervalSeconds; platform admins are not limited.</summary>
public sealed class TenantApplyIntervalTests : ApplyFixtureBase
{
    protected override int TenantMinIntervalSeconds => 3600;

    [Test]
    public async Task A_second_tenant_apply_within_the_interval_is_a_429_with_retry_after()
    {
        await Expect(await PostApply(AcmeAdmin.Client), HttpStatusCode.OK);
        var colleague = await CreateUserAsync("TENANT_ADMIN", Acme.Id);
        var response = await PostApply(colleague.Client);
        Assert.That((int)response.StatusCode, Is.EqualTo(429));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var seconds = int.Parse(response.Headers.GetValues("Retry-After").Single());
        Assert.That(seconds, Is.InRange(1, 3600));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(problem.GetProperty("retry_after_seconds").GetInt32(), Is.EqualTo(seconds));

        await Expect(await PostApply(), HttpStatusCode.OK);
        var other = await CreateTenantAsync();
        var otherAdmin = await CreateUserAsync("TENANT_ADMIN", other.Id);
        await Expect(await PostApply(otherAdmin.Client), HttpStatusCode.OK);
    }

    /// <summary>A tenant admin's apply refused with a 409 (another replica held the apply lock past LockWaitSeconds)
    /// deployed nothing, so it does not use up the tenant's turn: the retry right after is served, and only that one
    /// counts.</summary>
    [Test]
    public async Task An_apply_refused_with_a_409_leaves_the_tenants_turn_to_its_retry()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        await using (var replica = await Db.OpenConnectionAsync())
        {
            await replica.ExecuteAsync("SELECT pg_advisory_lock(@Key)", new { ApplyLock.Key });
            try
            {
                await Expect(await PostApply(admin.Client), HttpStatusCode.Conflict);
            }
            finally
            {
                await replica.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { ApplyLock.Key });
            }
        }

        await Expect(await PostApply(admin.Client), HttpStatusCode.OK);
        Assert.That((int)(await PostApply(admin.Client)).StatusCode, Is.EqualTo(429), "the apply that ran took the turn");
    }
}
