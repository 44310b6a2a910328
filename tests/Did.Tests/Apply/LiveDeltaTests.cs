using System.Net.Http.Json;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>A small change to a node whose state this process knows goes live over AMI without a reload, is verified
/// where it touched, and is rolled back (files restored, switch reloaded from them) when anything goes wrong.</summary>
public sealed class LiveDeltaTests : RoutedNumberFixtureBase
{
    private int _nextExtension = 1050;

    [Test]
    public async Task A_one_number_change_goes_live_as_a_delta_without_a_reload_and_survives_one()
    {
        await KnownStateAsync();
        var reloads = Nodes[0].CountActions("Reload");
        var extension = await ReassignAsync();

        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        var steps = JobSteps(job);
        Assert.That(steps, Does.ContainKey("delta:asterisk").And.Not.ContainKey("reload:asterisk"), job.ToString());
        Assert.That(steps["plan:asterisk"].Output, Does.StartWith("Live delta: 1 change(s) in 1 context(s)"));
        Assert.That(steps["verify:asterisk"].Output, Does.StartWith("1 contexts and"));
        Assert.That(steps["lint"].Output, Does.Contain("; 2 section(s) of the file scanned"), "the header and the number's shard; the rest as the last lint saw it");
        Assert.That(Nodes[0].CountActions("Reload"), Is.EqualTo(reloads), "no reload");
        Assert.That(Nodes[0].CountActions("DialplanExtensionAdd"), Is.GreaterThanOrEqualTo(1));
        Assert.That(Installed(Number.Number), Is.EqualTo(new[] { new FakePriority(1, "Goto", $"tenant-acme,{extension},1") }));
        Assert.That(File.ReadAllText(Path.Combine(ConfigDirs[0], "extensions_custom.conf")),
            Does.Contain($"exten => {Number.Number},1,Goto(tenant-acme,{extension},1)"), "the file holds the change first");

        Nodes[0].InstallDialplan(File.ReadAllText(Nodes[0].DialplanPath)); // anyone's reload, later
        Assert.That(Installed(Number.Number), Is.EqualTo(new[] { new FakePriority(1, "Goto", $"tenant-acme,{extension},1") }),
            "a reload from the files keeps what the delta made");
    }

    [TestCase("dropped", "AMI connection lost")]
    [TestCase("refused", "dialplan changes refused")]
    public async Task A_live_delta_that_fails_half_way_is_rolled_back_and_the_switch_runs_what_it_ran_before(string fault, string why)
    {
        await KnownStateAsync();
        var files = LiveFiles();
        var running = Installed(Number.Number);
        var users = Nodes[0].Dialplan.Contexts["tenant-acme"].Extensions.Select(e => e.Name).ToList();
        // A new user reached by the number: her three priorities added to tenant-acme, and the number's replaced in its shard.
        await ReassignToAsync(await CreateUserAsync("USER", Acme.Id, (_nextExtension++).ToString()));
        if (fault == "dropped") Nodes[0].Faults.DropConnectionAfterLiveChanges = Nodes[0].LiveChanges + 1;
        else Nodes[0].Faults.RefuseLiveChangesAfter = Nodes[0].LiveChanges + 1;

        var response = await PostApply();
        var job = await Job(response);

        Assert.That((int)response.StatusCode, Is.EqualTo(502), job.ToString());
        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        Assert.That(job.GetProperty("error").GetString(), Does.Contain(why), job.ToString());
        var steps = JobSteps(job);
        Assert.That(steps["delta:asterisk"].Status, Is.EqualTo("FAILED"));
        Assert.That(steps["rollback"].Output, Does.Contain("reloaded asterisk"));
        Assert.That(LiveFiles(), Is.EqualTo(files), "live files are byte-identical to before the apply");
        Assert.That(Installed(Number.Number), Is.EqualTo(running), "the switch runs what it ran before");
        Assert.That(Nodes[0].Dialplan.Contexts["tenant-acme"].Extensions.Select(e => e.Name), Is.EquivalentTo(users));

        ClearFaults();
        var next = await ApplyOkAsync();
        Assert.That(Status(next), Is.EqualTo("SUCCEEDED"));
        Assert.That(JobSteps(next), Does.ContainKey("reload:asterisk"), "after a failed apply the node's state is unknown: a reload");
    }

    [Test]
    public async Task A_reload_that_undoes_a_delta_before_it_is_verified_fails_the_apply_and_rolls_back()
    {
        await KnownStateAsync();
        var files = LiveFiles();
        var stale = File.ReadAllText(Nodes[0].DialplanPath);
        var running = Installed(Number.Number);
        await ReassignAsync();
        var show = Nodes[0].Faults.HoldShowDialPlan = new FakeGate();

        var apply = PostApply();
        await show.Reached;                 // the delta is live, its verification waits
        Nodes[0].InstallDialplan(stale);    // a reload of a stale copy of the file undoes it
        show.Open();
        var response = await apply;
        var job = await Job(response);

        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        Assert.That(job.GetProperty("error").GetString(), Does.Contain("differs from what was rendered").And.Contain(Number.Number), job.ToString());
        Assert.That(LiveFiles(), Is.EqualTo(files));
        Assert.That(Installed(Number.Number), Is.EqualTo(running));
    }

    [Test]
    public async Task A_switch_that_runs_a_live_change_differently_fails_verification_and_rolls_back()
    {
        await KnownStateAsync();
        var files = LiveFiles();
        var running = Installed(Number.Number);
        await ReassignAsync();
        Nodes[0].Faults.LiveChangeRewrites = data => data.Replace(",1", ",2");

        var job = await Job(await PostApply());

        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        Assert.That(job.GetProperty("error").GetString(), Does.Contain("differs from what was rendered"), job.ToString());
        Assert.That(LiveFiles(), Is.EqualTo(files));
        Assert.That(Installed(Number.Number), Is.EqualTo(running));
    }

    [Test]
    public async Task An_AMI_user_that_may_not_change_the_dialplan_live_gets_a_reload_instead()
    {
        await KnownStateAsync();
        var extension = await ReassignAsync();
        Nodes[0].Faults.DenyLiveChanges = true;

        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        var steps = JobSteps(job);
        Assert.That(steps["delta:asterisk"].Output, Does.Contain("Permission denied"));
        Assert.That(steps["reload:asterisk"].Status, Is.EqualTo("OK"));
        Assert.That(steps["verify:asterisk"].Output, Does.Not.StartWith("1 contexts"), "everything is listed after such a reload");
        Assert.That(Installed(Number.Number)[0].AppData, Is.EqualTo($"tenant-acme,{extension},1"));
    }

    [Test]
    public async Task A_live_file_changed_since_the_last_apply_makes_the_next_apply_a_reload()
    {
        await KnownStateAsync();
        File.AppendAllText(Nodes[0].DialplanPath, "; edited by hand\n");
        await ReassignAsync();

        var job = await ApplyOkAsync();

        var steps = JobSteps(job);
        Assert.That(steps, Does.ContainKey("reload:asterisk").And.Not.ContainKey("delta:asterisk"), job.ToString());
        Assert.That(steps["plan:asterisk"].Output, Does.Contain("not known"));
        Assert.That(steps["verify:asterisk"].Status, Is.EqualTo("OK"));
    }

    [Test]
    public async Task A_context_added_is_deployed_by_a_reload()
    {
        await KnownStateAsync();
        var other = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", other.Id, "3001");
        var number = (await SeedNumbersAsync(other.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = user.Id }), System.Net.HttpStatusCode.Created);

        var job = await ApplyOkAsync();

        var steps = JobSteps(job);
        Assert.That(steps, Does.ContainKey("reload:asterisk").And.Not.ContainKey("delta:asterisk"), job.ToString());
        Assert.That(steps["plan:asterisk"].Output, Does.Contain("context(s) added"));
        Assert.That(Nodes[0].Dialplan.Contexts, Does.ContainKey($"tenant-{other.Slug}"));
    }
}
