using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Did.Features.Apply;
using Did.Features.Drift;
using Did.Tests.Observability;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>Drift checks against the fake switch: what the check finds when the switch runs what was deployed, when a
/// context is gone, when a line runs something else, and when a live file was edited by hand; how the result is listed,
/// shown per node and counted in the metrics; and that a check never blocks an apply.</summary>
public sealed partial class DriftCheckTests : ApplyFixtureBase
{
    /// <summary>The steps here are ordered by holding the switch's reload, so every change goes by reload.</summary>
    protected override int? LiveDeltaMaxChanges => 0;

    private string LivePath => Path.Combine(ConfigDirs[0], "extensions_custom.conf");
    private byte[]? _liveBefore;

    [SetUp]
    public async Task DeployedAndRemembered()
    {
        await ApplyOkAsync();
        _liveBefore = File.ReadAllBytes(LivePath);
    }

    /// <summary>Each test leaves the switch and the file as the last apply left them.</summary>
    [TearDown]
    public void PutBackWhatWasDeployed()
    {
        if (_liveBefore is null) return;
        File.WriteAllBytes(LivePath, _liveBefore);
        Nodes[0].InstallDialplan(File.ReadAllText(LivePath), countAsReload: false);
    }

    private async Task<JsonElement> CheckAsync(HttpClient? by = null) =>
        await Expect(await (by ?? Admin).PostAsync("/api/v1/apply/drift-checks", null), HttpStatusCode.OK);

    private static JsonElement Node(JsonElement check) => check.GetProperty("nodes").EnumerateArray().Single();

    private static Dictionary<string, List<string>> Contexts(JsonElement node) => node.GetProperty("contexts").EnumerateArray()
        .ToDictionary(c => c.GetProperty("context").GetString()!, c => c.GetProperty("differences").EnumerateArray().Select(d => d.GetString()!).ToList());

    [GeneratedRegex(@"^\[tenant-acme\]\n(?:(?!\[).*\n)*", RegexOptions.Multiline)]
    private static partial Regex AcmeContext();

    [Test]
    public async Task A_switch_that_runs_what_was_deployed_is_in_sync()
    {
        var check = await CheckAsync();
        Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("IN_SYNC"), check.ToString());
        var node = Node(check);
        Assert.That((node.GetProperty("node").GetString(), node.GetProperty("in_sync").GetBoolean()), Is.EqualTo(("asterisk", true)));
        Assert.That(node.GetProperty("contexts").GetArrayLength() + node.GetProperty("files").GetArrayLength(), Is.Zero);
        var id = check.GetProperty("id").GetGuid();
        Assert.That((await Expect(await Admin.GetAsync($"/api/v1/apply/drift-checks/{id}"), HttpStatusCode.OK)).GetProperty("status").GetString(), Is.EqualTo("IN_SYNC"));
        await using (var conn = await Db.OpenConnectionAsync())
        {
            var audit = (await conn.QueryAsync<(Guid? Actor, string Status)>(
                "SELECT actor_id, after->>'status' FROM audit_logs WHERE action = 'CREATE' AND entity_type = 'DRIFT_CHECK' AND entity_id = @id", new { id })).ToList();
            Assert.That(audit.Select(a => a.Status), Is.EqualTo(new[] { "IN_SYNC" }), "one audit row, with the result");
            Assert.That(audit[0].Actor, Is.Not.Null);
        }
        var list = await Expect(await Admin.GetAsync("/api/v1/apply/drift-checks?page_size=1"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("items")[0].GetProperty("id").GetGuid(), Is.EqualTo(id));

        var status = await Expect(await Admin.GetAsync("/api/v1/apply/status"), HttpStatusCode.OK);
        var perNode = status.GetProperty("nodes").EnumerateArray().Single();
        Assert.That(perNode.GetProperty("in_sync").GetBoolean(), Is.True, status.ToString());
        Assert.That(perNode.GetProperty("last_drift_check").GetProperty("check_id").GetGuid(), Is.EqualTo(id));
        Assert.That(perNode.GetProperty("last_apply").GetProperty("job_id").GetGuid(), Is.EqualTo(status.GetProperty("deployed_job_id").GetGuid()));
    }

    [Test]
    public async Task A_context_removed_on_the_switch_is_drift_naming_the_context()
    {
        Nodes[0].InstallDialplan(AcmeContext().Replace(File.ReadAllText(LivePath), ""), countAsReload: false);
        var check = await CheckAsync();
        Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("DRIFTED"), check.ToString());
        var node = Node(check);
        Assert.That(node.GetProperty("in_sync").GetBoolean(), Is.False);
        var contexts = Contexts(node);
        Assert.That(contexts.Keys, Is.EqualTo(new[] { "tenant-acme" }));
        Assert.That(contexts["tenant-acme"].Single(), Does.StartWith("missing: the switch has no context 'tenant-acme'"));
        Assert.That(node.GetProperty("files").GetArrayLength(), Is.Zero, "the files are as deployed");

        var status = await Expect(await Admin.GetAsync("/api/v1/apply/status"), HttpStatusCode.OK);
        Assert.That(status.GetProperty("nodes")[0].GetProperty("in_sync").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_line_that_runs_something_else_is_drift_naming_both_lines()
    {
        var dial = new Regex(@"^(exten => 1001,1,Dial\([^)\n]*,)30\)$", RegexOptions.Multiline);
        var text = File.ReadAllText(LivePath);
        Assert.That(dial.IsMatch(text), text);
        Nodes[0].InstallDialplan(dial.Replace(text, "${1}31)"), countAsReload: false);
        var check = await CheckAsync();
        Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("DRIFTED"), check.ToString());
        var lines = Contexts(Node(check))["tenant-acme"];
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines[0], Does.StartWith("missing: 1001,1,Dial(").And.Contain(",30) (line "));
        Assert.That(lines[1], Does.StartWith("not rendered: 1001,1,Dial(").And.EndsWith(",31)"));
    }

    /// <summary>The check compares digests and reads only a differing context's section again: the lines it reports
    /// are still those of a whole comparison, with the line of the whole file.</summary>
    [Test]
    public async Task Each_drifted_context_is_named_in_file_order_with_the_file_line_of_what_the_switch_lacks()
    {
        var lines = File.ReadAllText(LivePath).Split('\n');
        var dial = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^exten => 1001,1,Dial\([^)]*,30\)$"));
        var first = Array.FindIndex(lines, l => l.StartsWith('['));
        Assert.That(dial, Is.GreaterThan(first), string.Join('\n', lines));
        Assert.That(lines[first], Is.Not.EqualTo("[tenant-acme]"));
        var edited = lines.ToArray();
        edited[dial] = lines[dial][..^3] + "31)";
        edited[first] = lines[first] + "\nexten => 4242,1,Hangup()";
        Nodes[0].InstallDialplan(string.Join('\n', edited), countAsReload: false);

        var check = await CheckAsync();
        Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("DRIFTED"), check.ToString());
        var contexts = Node(check).GetProperty("contexts").EnumerateArray()
            .Select(c => (c.GetProperty("context").GetString(), c.GetProperty("differences").EnumerateArray().Select(d => d.GetString()).ToList())).ToList();
        var call = lines[dial]["exten => ".Length..];
        Assert.That(contexts.Select(c => c.Item1), Is.EqualTo(new[] { lines[first][1..lines[first].IndexOf(']')], "tenant-acme" }));
        Assert.That(contexts[0].Item2, Is.EqualTo(new[] { "not rendered: 4242,1,Hangup()" }));
        Assert.That(contexts[1].Item2, Is.EqualTo(new[] { $"missing: {call} (line {dial + 1})", $"not rendered: {call[..^3]}31)" }));
    }

    [Test]
    public async Task A_live_file_edited_by_hand_is_drift_with_its_diff()
    {
        File.AppendAllText(LivePath, "exten => 9999,1,Hangup()\n");
        var check = await CheckAsync();
        Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("DRIFTED"), check.ToString());
        var node = Node(check);
        var file = node.GetProperty("files").EnumerateArray().Single();
        Assert.That(file.GetProperty("file").GetString(), Is.EqualTo("extensions_custom.conf"));
        Assert.That(file.GetProperty("diff").GetString(), Does.Contain("-exten => 9999,1,Hangup()"), "live against rendered: the hand-made line is what the render lacks");
        Assert.That(node.GetProperty("contexts").GetArrayLength(), Is.Zero, "the switch was not reloaded: it still runs what was deployed");
    }

    [Test]
    public async Task A_drift_check_never_blocks_an_apply_and_runs_one_at_a_time()
    {
        await using var other = await Db.OpenConnectionAsync(); // another replica's check, running
        await other.ExecuteAsync("SELECT pg_advisory_lock(@LockKey)", new { DriftCheckRunner.LockKey });
        try
        {
            await RouteAnotherNumberAsync();
            Assert.That(Status(await ApplyOkAsync()), Is.EqualTo("SUCCEEDED"), "an apply does not wait for a drift check");
            var busy = await Expect(await Admin.PostAsync("/api/v1/apply/drift-checks", null), HttpStatusCode.Conflict);
            Assert.That(busy.GetProperty("detail").GetString(), Does.StartWith("A drift check is running"));
        }
        finally
        {
            await other.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { DriftCheckRunner.LockKey });
        }
        _liveBefore = File.ReadAllBytes(LivePath);
        Assert.That((await CheckAsync()).GetProperty("status").GetString(), Is.EqualTo("IN_SYNC"));
    }

    [Test]
    public async Task A_check_during_an_apply_is_inconclusive_and_the_apply_goes_on()
    {
        await RouteAnotherNumberAsync();
        var reload = Nodes[0].Faults.HoldReload = new Fakes.FakeGate();
        var apply = PostApply();
        await reload.Reached; // the apply has written the new file and waits in its reload
        var check = await CheckAsync();
        reload.Open();
        Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("INCONCLUSIVE"), check.ToString());
        Assert.That(check.GetProperty("error").GetString(), Does.Contain("ran during the check"));
        var job = await Job(await apply);
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        _liveBefore = File.ReadAllBytes(LivePath);
        Assert.That((await CheckAsync()).GetProperty("status").GetString(), Is.EqualTo("IN_SYNC"));
    }

    [Test]
    public async Task Support_may_check_and_a_tenant_admin_may_not()
    {
        var support = await CreateUserAsync("SUPPORT", null);
        Assert.That((await CheckAsync(support.Client)).GetProperty("status").GetString(), Is.EqualTo("IN_SYNC"));
        await Expect(await AcmeAdmin.Client.PostAsync("/api/v1/apply/drift-checks", null), HttpStatusCode.Forbidden);
        await Expect(await AcmeAdmin.Client.GetAsync("/api/v1/apply/drift-checks"), HttpStatusCode.Forbidden);
        await Expect(await AcmeAdmin.Client.GetAsync("/api/v1/apply/status"), HttpStatusCode.Forbidden);
        await Expect(await Admin.GetAsync($"/api/v1/apply/drift-checks/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Drift_results_are_counted_and_each_nodes_last_result_is_a_gauge()
    {
        var before = PrometheusText.Parse(await Anonymous.GetStringAsync("/metrics"));
        File.AppendAllText(LivePath, "; edited\n");
        await CheckAsync();
        var drifted = PrometheusText.Parse(await Anonymous.GetStringAsync("/metrics"));
        Assert.That(drifted.Value("did_apply_drift_checks_total", ("outcome", "DRIFTED")) - before.Value("did_apply_drift_checks_total", ("outcome", "DRIFTED")),
            Is.EqualTo(1));
        Assert.That(drifted.Value("did_apply_drift_in_sync", ("node", "asterisk")), Is.EqualTo(0));

        PutBackWhatWasDeployed();
        await CheckAsync();
        var synced = PrometheusText.Parse(await Anonymous.GetStringAsync("/metrics"));
        Assert.That(synced.Value("did_apply_drift_in_sync", ("node", "asterisk")), Is.EqualTo(1));
    }
}

/// <summary>With two nodes, the check names the node that drifted and only that one.</summary>
public sealed class TwoNodeDriftCheckTests : ApplyFixtureBase
{
    protected override int NodeCount => 2;

    [Test]
    public async Task Only_the_drifted_node_is_named()
    {
        await ApplyOkAsync();
        var live = File.ReadAllText(Path.Combine(ConfigDirs[1], "extensions_custom.conf"));
        Nodes[1].InstallDialplan(live.Replace("[tenant-acme]\n", "[tenant-acme]\nexten => 4242,1,Hangup()\n"), countAsReload: false);
        try
        {
            var check = await Expect(await Admin.PostAsync("/api/v1/apply/drift-checks", null), HttpStatusCode.OK);
            Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("DRIFTED"), check.ToString());
            var nodes = check.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!, n => n);
            Assert.That(nodes["node0"].GetProperty("in_sync").GetBoolean(), Is.True);
            Assert.That(nodes["node1"].GetProperty("in_sync").GetBoolean(), Is.False);
            var context = nodes["node1"].GetProperty("contexts").EnumerateArray().Single();
            Assert.That(context.GetProperty("context").GetString(), Is.EqualTo("tenant-acme"));
            Assert.That(context.GetProperty("differences").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "not rendered: 4242,1,Hangup()" }));

            var status = await Expect(await Admin.GetAsync("/api/v1/apply/status"), HttpStatusCode.OK);
            Assert.That(status.GetProperty("nodes").EnumerateArray().Select(n => (n.GetProperty("node").GetString(), n.GetProperty("in_sync").GetBoolean())),
                Is.EqualTo(new[] { ("node0", true), ("node1", false) }));
        }
        finally
        {
            Nodes[1].InstallDialplan(live, countAsReload: false);
        }
    }
}
