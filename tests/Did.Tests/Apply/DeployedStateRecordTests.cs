using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Did.Features.Apply;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>What an apply records as a tenant's deployed part is the stored form of what it deployed, with that form's
/// hash, whether the process made the form in this apply or knew the part from an earlier one.</summary>
public sealed class DeployedStateRecordTests : ApplyFixtureBase
{
    private async Task<(string Sha, string Part)> StoredAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<(string, string)>("SELECT part_sha256, part FROM deployed_tenants WHERE tenant_id = @id", new { id = Acme.Id });
    }

    private static string Sha(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    [Test]
    public async Task A_route_changed_since_the_last_apply_is_recorded_and_audited()
    {
        await ApplyOkAsync();
        var before = await StoredAsync();
        var number = await RouteAnotherNumberAsync();

        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"));
        var after = await StoredAsync();
        Assert.That(after.Sha, Is.Not.EqualTo(before.Sha));
        Assert.That(after.Sha, Is.EqualTo(Sha(after.Part)));
        Assert.That(DeployedState.FromJson(after.Part).Numbers.Select(n => n.Number), Does.Contain(number.Number));
        await using var conn = await Db.OpenConnectionAsync();
        var audited = await conn.QueryAsync<Guid>("""
            SELECT tenant_id FROM audit_logs WHERE action = 'APPLY' AND entity_type = 'TENANT' AND (after->>'job_id')::uuid = @id
            """, new { id = job.GetProperty("id").GetGuid() });
        Assert.That(audited, Is.EqualTo(new[] { Acme.Id }));
    }

    /// <summary>The deployed state is written while the switch works, in a transaction only a success commits.</summary>
    [Test]
    public async Task A_rolled_back_apply_leaves_the_recorded_state_as_it_was_and_audits_no_tenant()
    {
        // The number is routed and deployed first, so that sending it elsewhere changes one line of a context the switch
        // already has: a live delta, whose changes the fault below rewrites (a number in a new shard would be reloaded).
        var number = await RouteAnotherNumberAsync();
        await ApplyOkAsync();
        var before = await StoredAsync();
        string recordedBy;
        await using (var conn = await Db.OpenConnectionAsync())
            recordedBy = (await conn.QuerySingleAsync<Guid>("SELECT job_id FROM deployed_dialplan")).ToString();
        await Expect(await Admin.PutAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
            HttpStatusCode.OK);
        Nodes[0].Faults.LiveChangeRewrites = data => data + ",x"; // the switch runs something else: verify fails

        var job = await Job(await PostApply());

        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        Assert.That(JobSteps(job).Keys, Has.Some.StartsWith("delta:"), "the change went live as a delta");
        Assert.That(await StoredAsync(), Is.EqualTo(before));
        await using var check = await Db.OpenConnectionAsync();
        Assert.That((await check.QuerySingleAsync<Guid>("SELECT job_id FROM deployed_dialplan")).ToString(), Is.EqualTo(recordedBy));
        Assert.That(await check.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM audit_logs WHERE action = 'APPLY' AND entity_type = 'TENANT' AND (after->>'job_id')::uuid = @id
            """, new { id = job.GetProperty("id").GetGuid() }), Is.Zero);
    }

    [Test]
    public async Task A_part_known_by_its_hash_is_written_again_when_what_is_stored_differs()
    {
        await ApplyOkAsync();
        var deployed = await StoredAsync();
        // As if what is stored had been written by someone other than this process.
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE deployed_tenants SET part_sha256 = @sha, part = '{}' WHERE tenant_id = @id",
                new { sha = new string('0', 64), id = Acme.Id });

        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("NO_CHANGES"));
        Assert.That(await StoredAsync(), Is.EqualTo(deployed));
    }
}
