using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public class DialplanLinterTests
{
    private const string Good = """
        [from-trunk-external]
        exten => _+1555123XXX,1,Goto(did-1555123,+${FILTER(0-9,${EXTEN})},1)
        exten => _+X.,1,Congestion()

        [did-1555123]
        exten => +15551234567,1,Goto(tenant-acme,1001,1)
        exten => _+X.,1,Congestion()

        [tenant-acme]
        exten => 1001,1,Dial(PJSIP/acme-1001,30)
         same => n,VoiceMail(1001@tenant-acme)
         same => n,Hangup()

        """;

    private static LintFinding Single(string text, LintRule rule)
    {
        var findings = DialplanLinter.Lint(text);
        Assert.That(findings.Select(f => f.Rule), Is.EqualTo(new[] { rule }), string.Join("\n", findings));
        return findings[0];
    }

    [Test]
    public void Well_formed_dialplan_has_no_findings() => Assert.That(DialplanLinter.Lint(Good), Is.Empty);

    [Test]
    public void Golden_dialplan_has_no_findings() =>
        Assert.That(DialplanLinter.Lint(RenderedDialplan.Of(Samples.Small()).Extensions), Is.Empty);

    [Test]
    public void Goto_to_a_missing_extension_is_dangling()
    {
        var f = Single(Good.Replace("Goto(tenant-acme,1001,1)", "Goto(tenant-acme,1002,1)"), LintRule.DanglingGoto);
        Assert.That((f.LineNumber, f.LineText), Is.EqualTo((6, "exten => +15551234567,1,Goto(tenant-acme,1002,1)")));
    }

    [Test]
    public void Goto_to_a_missing_priority_is_dangling() =>
        Single(Good.Replace("Goto(tenant-acme,1001,1)", "Goto(tenant-acme,1001,4)"), LintRule.DanglingGoto);

    [Test]
    public void Goto_matched_by_a_pattern_is_not_dangling() =>
        Assert.That(DialplanLinter.Lint(Good + "[x]\nexten => 1,1,Goto(did-1555123,+15551239999,1)\n"), Is.Empty);

    [Test]
    public void Goto_to_an_undefined_context_is_reported() =>
        Single(Good.Replace("Goto(tenant-acme,1001,1)", "Goto(tenant-nobody,1001,1)"), LintRule.UndefinedContext);

    [Test]
    public void Include_of_an_undefined_context_is_reported() =>
        Single(Good + "[x]\ninclude => nowhere\n", LintRule.UndefinedContext);

    [Test]
    public void Context_defined_elsewhere_may_be_referenced_when_declared() =>
        Assert.That(DialplanLinter.Lint(Good.Replace("Goto(tenant-acme,1001,1)", "Goto(parking,700,1)"),
            new DialplanLintOptions { ExternalContexts = ["parking"] }), Is.Empty);

    [Test]
    public void Duplicate_priority_is_reported_on_the_second_line()
    {
        var f = Single(Good.Replace(" same => n,Hangup()", " same => n,Hangup()\nexten => 1001,2,Hangup()"), LintRule.DuplicatePriority);
        Assert.That(f.LineNumber, Is.EqualTo(13));
    }

    [Test]
    public void Duplicate_context_is_reported() => Single(Good + "[tenant-acme]\nexten => 1002,1,Hangup()\n", LintRule.DuplicateContext);

    [Test]
    public void Unclosed_context_header_is_reported()
    {
        var findings = DialplanLinter.Lint(Good.Replace("[tenant-acme]", "[tenant-acme"));
        Assert.That(findings.Select(f => f.Rule), Does.Contain(LintRule.UnclosedContextHeader));
    }

    [Test]
    public void Line_break_inside_an_application_call_is_reported()
    {
        var findings = DialplanLinter.Lint(Good.Replace("Goto(tenant-acme,1001,1)", "Goto(tenant-acme,\n1001,1)"));
        Assert.That(findings.Select(f => f.Rule), Does.Contain(LintRule.UnbalancedParentheses).And.Contain(LintRule.UnrecognizedLine));
    }

    [Test]
    public void Unbalanced_parentheses_inside_the_data_are_reported() =>
        Single(Good.Replace("Dial(PJSIP/acme-1001,30)", "Dial(PJSIP/acme-1001(,30)"), LintRule.UnbalancedParentheses);

    [TestCase("exten => 10a1,1,Hangup()")]
    [TestCase("exten => _1555Q,1,Hangup()")]
    [TestCase("exten => _1.5,1,Hangup()")]
    [TestCase("exten => _[],1,Hangup()")]
    [TestCase("exten => _[1-],1,Hangup()")]
    [TestCase("exten => _,1,Hangup()")]
    [TestCase("exten => +15a,1,Hangup()")]
    [TestCase("exten => h,1,Hangup()")]
    public void Bad_extension_or_pattern_is_reported(string line) => Single(Good + "[x]\n" + line + "\n", LintRule.InvalidExtension);

    [TestCase("exten => _+1[2-5]XXX.,1,Hangup()")]
    [TestCase("exten => _NXXZ!,1,Hangup()")]
    [TestCase("exten => *,1,Hangup()")]
    [TestCase("exten => #,1,Hangup()")]
    [TestCase("exten => *98,1,Hangup()")]
    [TestCase("exten => t,1,Hangup()")]
    public void Valid_extension_or_pattern_is_accepted(string line) => Assert.That(DialplanLinter.Lint(Good + "[x]\n" + line + "\n"), Is.Empty);

    [Test]
    public void Extension_without_priority_one_is_reported() => Single(Good + "[x]\nexten => 5,2,Hangup()\n", LintRule.MissingPriorityOne);

    [Test]
    public void Application_off_the_allow_list_is_reported()
    {
        var f = Single(Good + "[x]\nexten => 5,1,System(id)\n", LintRule.ApplicationNotAllowed);
        Assert.That(f.Message, Does.Contain("'System'"));
    }

    [Test]
    public void Allow_list_is_configurable() =>
        Assert.That(DialplanLinter.Lint(Good + "[x]\nexten => 5,1,MusicOnHold()\n",
            new DialplanLintOptions { AllowedApplications = [.. DialplanLintOptions.DefaultApplications, "MusicOnHold"] }), Is.Empty);

    [TestCase("exten => 5,1,Playback(${SHELL(id)})")]
    [TestCase("exten => 5,1,Goto(tenant-acme,${EXTEN},1)")]
    [TestCase("exten => 5,1,Goto(tenant-acme,1001,${X})")]
    [TestCase("exten => 5,1,Dial(PJSIP/${EXTEN})")]
    [TestCase("exten => 5,1,Goto(${CTX},+${FILTER(0-9,${EXTEN})},1)")]
    public void Variable_outside_the_generated_filtered_form_is_reported(string line) =>
        Single(Good + "[x]\n" + line + "\n", LintRule.UnsafeVariable);

    [Test]
    public void Filtered_goto_to_an_undefined_shard_is_reported() =>
        Single(Good.Replace("Goto(did-1555123,+${", "Goto(did-9999,+${"), LintRule.UndefinedContext);

    [Test]
    public void Entry_before_any_context_is_reported() => Single("exten => 1,1,Hangup()\n" + Good, LintRule.EntryOutsideContext);

    [Test]
    public void Same_without_exten_is_reported() => Single(Good + "[x]\n same => n,Hangup()\n", LintRule.SameWithoutExtension);

    [Test]
    public void Findings_are_sorted_by_line() =>
        Assert.That(DialplanLinter.Lint("[a]\nexten => 1,1,System(x)\nexten => 2,1,Goto(b,1,1)\nexten => 3,1,Goto(a,9,1)\n").Select(f => f.LineNumber),
            Is.EqualTo(new[] { 2, 3, 4 }));
}
