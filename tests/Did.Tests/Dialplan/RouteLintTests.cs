using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>The linter on routes with rules: it accepts exactly the forms the renderer writes, refuses any other use of a
/// variable (above all caller ID reaching an application's arguments), checks labels and Gosub targets, and keys
/// duplicate priorities on extension, caller-ID match and priority.</summary>
public class RouteLintTests
{
    private const string Route = """
        [did-1555123]
        exten => +15551230001,1,Set(DID_CALLER=${FILTER(0-9+,${CALLERID(num)})})
        exten => +15551230001,n(rule-0),GotoIf($["${DID_CALLER:0:3}" = "+44"]?external-1)
        exten => +15551230001,n,Gosub(acme_sched_hours,s,1)
        exten => +15551230001,n(rule-1),GotoIf($["${FILTER(0-9,${DID_CALLER})}" = "" & "${GOSUB_RETVAL}" != "OPEN"]?external-1)
        exten => +15551230001,n(external-2),Playback(custom/x)
        exten => +15551230001,n,Hangup()
        exten => +15551230001,n(external-1),Hangup()

        [acme_sched_hours]
        exten => s,1,Set(DID_TODAY=${STRFTIME(${EPOCH},America/New_York,%Y%m%d)})
         same => n,GotoIf($[${DID_TODAY} >= 20261225 & ${DID_TODAY} <= 20261225]?holiday)
         same => n,GotoIfTime(09:00-17:29,mon-fri,*,*,America/New_York?open)
         same => n,Return(CLOSED)
         same => n(open),Return(OPEN)
         same => n(holiday),Return(HOLIDAY)

        """;

    private static LintFinding Single(string text, LintRule rule)
    {
        var findings = DialplanLinter.Lint(text);
        Assert.That(findings.Select(f => f.Rule), Is.EqualTo(new[] { rule }), string.Join("\n", findings));
        return findings[0];
    }

    [Test]
    public void The_forms_the_renderer_writes_have_no_findings() => Assert.That(DialplanLinter.Lint(Route), Is.Empty);

    [Test]
    public void The_routed_golden_dialplan_has_no_findings()
    {
        Assert.That(DialplanLinter.Lint(RenderedDialplan.Of(RouteSamples.Routed()).Extensions), Is.Empty);
        Assert.That(DialplanLinter.Lint(RenderedDialplan.Of(RouteSamples.Routed(),
            new DialplanSettings { VoicemailOnNoAnswer = false, AnswerBeforeQueue = false }).Extensions), Is.Empty);
    }

    [TestCase("exten => +15551230009,1,Playback(${CALLERID(num)})")]
    [TestCase("exten => +15551230009,1,Dial(PJSIP/${DID_CALLER})")]
    [TestCase("exten => +15551230009,1,Set(DID_CALLER=${CALLERID(num)})")]
    [TestCase("exten => +15551230009,1,Set(X=${CALLERID(num)})")]
    [TestCase("exten => +15551230009,1,Set(DID_CALLER=${FILTER(0-9+,${CALLERID(name)})})")]
    [TestCase("exten => +15551230009,1,GotoIf($[\"${CALLERID(num)}\" = \"+44\"]?1)")]
    [TestCase("exten => +15551230009,1,GotoIf($[${CALLERID(num)} = 1]?1)")]
    [TestCase("exten => +15551230009,1,GotoIf($[\"${DID_CALLER:0:3}\" = \"+4\"]?1)")]
    [TestCase("exten => +15551230009,1,GotoIf($[\"${DID_CALLER}\" = \"+44\"]?1)")]
    [TestCase("exten => +15551230009,1,GotoIf($[\"${GOSUB_RETVAL}\" = \"OPEN\"]?${X})")]
    [TestCase("exten => +15551230009,1,GotoIf($[\"${GOSUB_RETVAL}\" = \"OPEN\" | 1]?1)")]
    [TestCase("exten => +15551230009,1,GotoIfTime(09:00-17:00,mon,*,*,${TZ}?1)")]
    [TestCase("exten => +15551230009,1,Set(DID_TODAY=${STRFTIME(${EPOCH},${TZ},%Y%m%d)})")]
    [TestCase("exten => +15551230009,1,Gosub(acme_sched_hours,s,1(${CALLERID(num)}))")]
    [TestCase("exten => +15551230009,1,Return(${CALLERID(num)})")]
    public void A_variable_outside_the_rendered_forms_is_refused(string line) =>
        Single(Route + "[x]\n" + line + "\n", LintRule.UnsafeVariable);

    [Test]
    public void The_caller_variable_read_before_the_extension_sets_it_is_refused()
    {
        var text = Route.Replace("exten => +15551230001,1,Set(DID_CALLER=${FILTER(0-9+,${CALLERID(num)})})\n", "exten => +15551230001,1,Answer()\n");
        var findings = DialplanLinter.Lint(text);
        Assert.That(findings.Select(f => (f.Rule, f.LineNumber)), Is.EqualTo(new[] { (LintRule.UnsafeVariable, 3), (LintRule.UnsafeVariable, 5) }));
        Assert.That(findings.Select(f => f.Message), Has.All.Contain("DID_CALLER is read before"));
    }

    [Test]
    public void The_caller_variable_set_by_another_extension_does_not_count() =>
        Single(Route + "[x]\nexten => 5,1,GotoIf($[\"${FILTER(0-9,${DID_CALLER})}\" = \"\"]?1)\n", LintRule.UnsafeVariable);

    [Test]
    public void A_GotoIf_to_a_missing_label_is_dangling()
    {
        var f = Single(Route.Replace("]?external-1)\nexten => +15551230001,n,Gosub", "]?external-9)\nexten => +15551230001,n,Gosub"), LintRule.DanglingGoto);
        Assert.That(f.Message, Does.Contain("external-9"));
    }

    [Test]
    public void A_GotoIfTime_to_a_missing_label_is_dangling() =>
        Single(Route.Replace("America/New_York?open)", "America/New_York?opne)"), LintRule.DanglingGoto);

    [Test]
    public void A_Gosub_to_a_missing_context_is_reported() =>
        Single(Route.Replace("Gosub(acme_sched_hours,s,1)", "Gosub(acme_sched_nope,s,1)"), LintRule.UndefinedContext);

    [Test]
    public void A_Gosub_to_a_missing_priority_is_dangling() =>
        Single(Route.Replace("Gosub(acme_sched_hours,s,1)", "Gosub(acme_sched_hours,s,9)"), LintRule.DanglingGoto);

    [Test]
    public void Caller_id_variants_of_one_extension_are_not_duplicates()
    {
        const string variants = "[c]\nexten => +15551230001/_+44.,1,Goto(c,1,1)\nexten => +15551230001/+442071234567,1,Hangup()\nexten => +15551230001,1,Hangup()\nexten => 1,1,Hangup()\n";
        Assert.That(DialplanLinter.Lint(variants), Is.Empty);
    }

    [Test]
    public void The_same_caller_id_variant_twice_is_a_duplicate()
    {
        var f = Single("[c]\nexten => +15551230001/_+44.,1,Hangup()\nexten => +15551230001,1,Hangup()\nexten => +15551230001/_+44.,1,Answer()\n" +
                       "exten => 2,1,Goto(c,+15551230001,1)\n", LintRule.DuplicatePriority);
        Assert.That((f.LineNumber, f.Message), Is.EqualTo((4, "+15551230001/_+44. priority 1 already exists in [c]; Asterisk keeps the first and drops this one")));
    }

    [Test]
    public void A_caller_id_variant_without_priority_one_is_reported() =>
        Single("[c]\nexten => +15551230001,1,Hangup()\nexten => +15551230001/_+44.,2,Hangup()\n", LintRule.MissingPriorityOne);

    [Test]
    public void A_caller_id_match_that_is_not_a_number_or_pattern_is_reported() =>
        Single("[c]\nexten => +15551230001/anonymous,1,Hangup()\n", LintRule.InvalidExtension);
}
