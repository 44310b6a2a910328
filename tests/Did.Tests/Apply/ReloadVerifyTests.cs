using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>The verification after a reload onto a node whose deployment was verified, when the dialplan is too big to
/// list whole (here: any size, Apply:VerifyAllUpToPriorities = 0): the changed contexts are listed in full and every
/// other context is checked to exist. Each fault a reload can bring must still fail the apply and roll it back.</summary>
public sealed class ReloadVerifyTests : RoutedNumberFixtureBase
{
    protected override int? LiveDeltaMaxChanges => 0;

    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Apply:VerifyAllUpToPriorities"] = "0" };

    private static Dictionary<string, string> Outputs(System.Text.Json.JsonElement job) => JobSteps(job).ToDictionary(s => s.Key, s => s.Value.Output);

    [Test]
    public async Task A_reload_lists_only_the_changed_context_and_checks_the_others_exist()
    {
        await KnownStateAsync();
        await ReassignAsync();
        var listed = Nodes[0].CountActions("ShowDialPlan");

        var job = await ApplyOkAsync();

        var outputs = Outputs(job);
        Assert.That(outputs, Does.ContainKey("reload:asterisk"));
        Assert.That(outputs["verify:asterisk"], Does.Match(@"^1 contexts and \d+ priorities match; \d+ other contexts exist\.$"));
        var contexts = Nodes[0].Dialplan.Contexts.Count;
        Assert.That(Nodes[0].CountActions("ShowDialPlan") - listed, Is.EqualTo(contexts), "one question per context, one of them a full listing");
    }

    /// <param name="why">A regular expression the job's error must match.</param>
    [TestCase("dropped", "Context 'tenant-acme' is missing")]
    [TestCase("unclosed", "Context 'tenant-acme.*' is missing")]
    [TestCase("appdata", "runs Goto\\(tenant-acme,1099,1\\), not Goto")]
    [TestCase("priority", "lacks {number} priority 1")]
    [TestCase("extra", "has 1 priorities that were not rendered")]
    [TestCase("missing", "lacks {number} priority 1")]
    [TestCase("refused", "did not reload")]
    [TestCase("nothing", "runs Goto\\(tenant-acme,\\d+,1\\), not Goto")]
    [TestCase("never", "No complete answer to AMI action Reload")]
    public async Task A_fault_of_the_reload_fails_the_apply_and_rolls_back(string fault, string why)
    {
        await KnownStateAsync();
        var before = LiveFiles();
        await ReassignAsync();
        var line = $"exten => {Number.Number},1,";
        var faults = Nodes[0].Faults;
        switch (fault)
        {
            case "dropped": faults.ReloadDropsContexts.Add("tenant-acme"); break;
            // An unclosed '[' before the tenant's contexts: Asterisk drops everything from there on, and says Success.
            case "unclosed": faults.ReloadRewrites = t => t.Replace("\n[tenant-acme]\n", "\n[tenant-acme\n"); break;
            case "appdata": faults.ReloadRewrites = t => System.Text.RegularExpressions.Regex.Replace(t, $@"{System.Text.RegularExpressions.Regex.Escape(line)}Goto\(tenant-acme,\d+,1\)", line + "Goto(tenant-acme,1099,1)"); break;
            case "priority": faults.ReloadRewrites = t => t.Replace(line, $"exten => {Number.Number},4,"); break;
            case "extra": faults.ReloadRewrites = t => t.Replace(line, $"exten => {Number.Number}9,1,Hangup()\n{line}"); break;
            case "missing": faults.ReloadRewrites = t => t.Replace(line, "exten => +10000000000,1,"); break;
            case "refused": faults.FailReload = true; break;
            case "nothing": faults.ReloadInstallsNothing = true; break;
            case "never": faults.NeverRespondTo.Add("Reload"); break;
        }

        var response = await PostApply();
        var job = await Job(response);

        Assert.That((int)response.StatusCode, Is.EqualTo(502), job.ToString());
        Assert.That(Status(job), Is.AnyOf("ROLLED_BACK", "FAILED"), job.ToString());
        Assert.That(job.GetProperty("error").GetString(), Does.Match(why.Replace("{number}", System.Text.RegularExpressions.Regex.Escape(Number.Number))), job.ToString());
        Assert.That(LiveFiles(), Is.EqualTo(before), "live files must be byte-identical to before the apply");
    }
}
