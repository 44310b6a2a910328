using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public class ExternalActionTests
{
    private static ExternalActionResult Parse(string? value, ExternalActionPolicy? policy = null) =>
        ExternalAction.Parse(value, "acme", policy ?? ExternalActionPolicy.Default);

    private static void AssertRefused(string? value, ExternalActionRule rule, ExternalActionPolicy? policy = null)
    {
        var r = Parse(value, policy);
        Assert.That(r.IsValid, Is.False, $"{value} was accepted as {r.Action?.Text}");
        Assert.That(r.Rule, Is.EqualTo(rule), r.Message);
        Assert.That(r.Message, Does.StartWith("rule " + r.RuleCode + ": "));
    }

    [TestCase("Hangup()", "Hangup()")]
    [TestCase("Hangup(16)", "Hangup(16)")]
    [TestCase("Busy()", "Busy()")]
    [TestCase("Congestion(5)", "Congestion(5)")]
    [TestCase("Playback(custom/closed-today)", "Playback(custom/closed-today)")]
    [TestCase("VoiceMail(1001@tenant-acme)", "VoiceMail(1001@tenant-acme)")]
    [TestCase("VoiceMail(1001@tenant-acme,u)", "VoiceMail(1001@tenant-acme,u)")]
    [TestCase("Goto(tenant-acme,1001,1)", "Goto(tenant-acme,1001,1)")]
    [TestCase("Goto(acme_ivr_main,s,1)", "Goto(acme_ivr_main,s,1)")]
    [TestCase("Goto(acme_queue_support,s,2)", "Goto(acme_queue_support,s,2)")]
    [TestCase("Playback(custom/welcome_en)", "Playback(custom/welcome_en)")]
    public void Allowed_action_is_accepted_as_its_canonical_text(string value, string canonical)
    {
        var r = Parse(value);
        Assert.That(r.IsValid, Is.True, r.Message);
        Assert.That(r.Action!.Text, Is.EqualTo(canonical));
    }

    [TestCase("Goto(tenant-acme-ivr-main,s,1)", "Goto(acme_ivr_main,s,1)")]
    [TestCase("Goto(tenant-acme-queue-support,s,2)", "Goto(acme_queue_support,s,2)")]
    [TestCase("Goto(tenant-acme-queue-ivr-x,s,1)", "Goto(acme_queue_ivr-x,s,1)")]
    public void Goto_to_an_ivr_or_queue_by_its_old_context_name_is_written_with_the_current_one(string value, string current) =>
        Assert.That(Parse(value).Action!.Text, Is.EqualTo(current));

    [Test]
    public void Application_names_are_matched_case_insensitively_and_written_canonically() =>
        Assert.That(Parse("hangup()").Action!.Text, Is.EqualTo("Hangup()"));

    [Test]
    public void Voicemail_without_context_is_bound_to_the_own_tenant() =>
        Assert.That(Parse("VoiceMail(1001)").Action!.Text, Is.EqualTo("VoiceMail(1001@tenant-acme)"));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Empty_action_is_refused(string? value) => AssertRefused(value, ExternalActionRule.Empty);

    [Test]
    public void Action_longer_than_255_characters_is_refused() =>
        AssertRefused("Playback(" + new string('a', 250) + ")", ExternalActionRule.TooLong);

    [Test]
    public void Action_of_exactly_255_characters_passes_the_length_rule() =>
        Assert.That(Parse("Playback(custom/" + new string('a', 238) + ")").Rule, Is.Not.EqualTo(ExternalActionRule.TooLong));

    [TestCase("Hangup()\n[evil]\nexten => _X.,1,System(id)")]
    [TestCase("Hangup()\r\n")]
    [TestCase("Playback(a\tb)")]
    [TestCase("Hangup(\0)")]
    [TestCase("Playback(caf\u00e9)")]
    public void Control_and_non_ascii_characters_are_refused(string value) => AssertRefused(value, ExternalActionRule.ControlCharacter);

    [TestCase("Hangup")]
    [TestCase("Hangup ()")]
    [TestCase(" Hangup()")]
    [TestCase("Hangup())")]
    [TestCase("Hangup()x")]
    [TestCase("(Hangup)")]
    [TestCase("${SHELL(id)}")]
    [TestCase("1Hangup()")]
    public void Anything_but_one_call_is_a_syntax_error(string value)
    {
        var r = Parse(value);
        Assert.That(r.IsValid, Is.False);
        Assert.That(r.Rule, Is.AnyOf(ExternalActionRule.Syntax, ExternalActionRule.ForbiddenCharacter), r.Message);
    }

    [Test]
    public void Trailing_text_after_the_closing_parenthesis_is_a_syntax_error() => AssertRefused("Hangup()x", ExternalActionRule.Syntax);

    [TestCase("System(rm -rf /)")]
    [TestCase("Dial(PJSIP/x)")]
    [TestCase("Set(x=1)")]
    [TestCase("Exec(System)")]
    [TestCase("Dial(PJSIP/x)&System(x)")]
    public void Application_off_the_allow_list_is_refused(string value) => AssertRefused(value, ExternalActionRule.ApplicationNotAllowed);

    [Test]
    public void Refusal_message_names_the_application_and_the_allowed_ones()
    {
        var r = Parse("System(rm -rf /)");
        Assert.That(r.Message, Does.Contain("'System'").And.Contain("Hangup"));
    }

    [TestCase("Playback(${SHELL(id)})", "$")]
    [TestCase("Playback(a b)", " ")]
    [TestCase("Playback(a;b)", ";")]
    [TestCase("Playback(a\"b)", "\"")]
    [TestCase("Playback(a'b)", "'")]
    [TestCase("Playback(a\\b)", "\\")]
    [TestCase("Playback(a[b])", "[")]
    [TestCase("Playback(a{b})", "{")]
    [TestCase("Playback(a(b))", "(")]
    [TestCase("Playback(a&b)", "&")]
    [TestCase("Playback(a|b)", "|")]
    [TestCase("Goto(acme_ivr_main,*,1)", "*")]
    [TestCase("Goto(acme_ivr_main,#,1)", "#")]
    public void Argument_character_outside_the_set_is_refused_and_named(string value, string character)
    {
        AssertRefused(value, ExternalActionRule.ForbiddenCharacter);
        Assert.That(Parse(value).Message, Does.Contain("'" + character + "'"));
    }

    [Test]
    public void Widened_application_still_gets_the_argument_character_rule()
    {
        var wide = ExternalActionPolicy.Default.Widen("Dial");
        Assert.That(Parse("Dial(PJSIP/acme-1001,30)", wide).Action!.Text, Is.EqualTo("Dial(PJSIP/acme-1001,30)"));
        AssertRefused("Dial(PJSIP/x)&System(x)", ExternalActionRule.ForbiddenCharacter, wide);
        AssertRefused("Dial(PJSIP/${SHELL(id)})", ExternalActionRule.ForbiddenCharacter, wide);
    }

    [Test]
    public void Widened_application_still_gets_the_tenant_reference_rule()
    {
        var wide = ExternalActionPolicy.Default.Widen("Dial");
        Assert.That(Parse("Dial(Local/1001@tenant-acme)", wide).IsValid, Is.True);
        Assert.That(Parse("Dial(Local/1001@acme_members/n)", wide).IsValid, Is.True);
        AssertRefused("Dial(Local/1001@tenant-other)", ExternalActionRule.CrossTenantReference, wide);
        AssertRefused("Dial(Local/1001@TENANT-OTHER)", ExternalActionRule.CrossTenantReference, wide);
        AssertRefused("Dial(Local/1001@other_members/n)", ExternalActionRule.CrossTenantReference, wide);
        AssertRefused("Dial(Local/s@other_ivr_main)", ExternalActionRule.CrossTenantReference, wide);
        AssertRefused("Dial(Local/s@OTHER_QUEUE_support)", ExternalActionRule.CrossTenantReference, wide);
    }

    [TestCase("Goto(tenant-other,1,1)")]
    [TestCase("Goto(tenant-acme-corp,s,1)")]
    [TestCase("Goto(tenant-acmeco,s,1)")]
    [TestCase("Goto(tenant-acme-ivr-,s,1)")]
    [TestCase("Goto(other_ivr_main,s,1)")]
    [TestCase("Goto(other_queue_support,s,1)")]
    [TestCase("Goto(acme-x_ivr_main,s,1)")]
    [TestCase("Goto(acme_ivr_,s,1)")]
    [TestCase("Goto(acme_members,1001,1)")]
    [TestCase("Goto(tenant-acme_ivr_main,s,1)")]
    [TestCase("Playback(custom/other_ivr_main)")]
    [TestCase("Playback(custom/other_sched_hours)")]
    [TestCase("Goto(other_sched_hours,s,1)")]
    [TestCase("Goto(acme_sched_hours,s,1)")]
    [TestCase("Goto(from-trunk-external,+15551234567,1)")]
    [TestCase("Goto(did-1555123,s,1)")]
    [TestCase("VoiceMail(1001@tenant-other)")]
    [TestCase("VoiceMail(1001@default)")]
    [TestCase("Playback(tenant-other/greeting)")]
    public void Reference_outside_the_own_tenant_is_refused(string value) => AssertRefused(value, ExternalActionRule.CrossTenantReference);

    [TestCase("Goto(tenant-acme,1001)")]
    [TestCase("Goto(tenant-acme,1001,1,1)")]
    [TestCase("Playback()")]
    [TestCase("Playback(a,b)")]
    [TestCase("VoiceMail()")]
    [TestCase("VoiceMail(1001,u,x)")]
    [TestCase("Hangup(1,2)")]
    public void Wrong_number_of_arguments_is_refused(string value) => AssertRefused(value, ExternalActionRule.ArgumentCount);

    [TestCase("Goto(tenant-acme,10a1,1)")]
    [TestCase("Goto(tenant-acme,1001,0)")]
    [TestCase("Goto(tenant-acme,1001,n)")]
    [TestCase("Goto(tenant-acme,,1)")]
    [TestCase("Goto(tenant-acme,t,1)")]
    [TestCase("Playback(/etc/passwd)")]
    [TestCase("Playback(../../etc/passwd)")]
    [TestCase("Playback(custom/a.gsm)")]
    [TestCase("VoiceMail(abc)")]
    [TestCase("VoiceMail(12345678901)")]
    [TestCase("VoiceMail(1001,x)")]
    [TestCase("Hangup(abc)")]
    [TestCase("Busy(1000)")]
    public void Malformed_argument_is_refused(string value) => AssertRefused(value, ExternalActionRule.InvalidArgument);

    // The hostile list from the issue: each must be refused, whatever rule catches it first.
    [TestCase("Hangup()\n[ctx]\nexten => s,1,System(id)")]
    [TestCase("System(rm -rf /)")]
    [TestCase("${SHELL(id)}")]
    [TestCase("Goto(tenant-other,1,1)")]
    [TestCase("Dial(PJSIP/x)&System(x)")]
    [TestCase("Set(x=${SHELL(id)})")]
    [TestCase("Playback(x)\n")]
    [TestCase("VoiceMail(1001@tenant-acme)\r\n[tenant-other]")]
    [TestCase("Goto(tenant-acme,1001,1);comment")]
    [TestCase("Playback(x),System(y)")]
    public void Hostile_value_is_refused(string value)
    {
        Assert.That(Parse(value).IsValid, Is.False);
        Assert.That(Parse(value, ExternalActionPolicy.Default.Widen("Dial", "Set")).IsValid, Is.False);
    }

    [Test]
    public void Platform_action_may_not_reference_any_tenant()
    {
        Assert.That(ExternalAction.ParsePlatform("Congestion()", ExternalActionPolicy.Default).IsValid, Is.True);
        Assert.That(ExternalAction.ParsePlatform("Goto(tenant-acme,1001,1)", ExternalActionPolicy.Default).Rule, Is.EqualTo(ExternalActionRule.CrossTenantReference));
        Assert.That(ExternalAction.ParsePlatform("VoiceMail(1001)", ExternalActionPolicy.Default).Rule, Is.EqualTo(ExternalActionRule.CrossTenantReference));
    }

    [Test]
    public void Rule_codes_are_screaming_snake_case() =>
        Assert.That(Parse("Goto(tenant-other,1,1)").RuleCode, Is.EqualTo("CROSS_TENANT_REFERENCE"));
    [TestCase("Goto(tenant-acme,1002,1)", "1002")]
    [TestCase("Goto(tenant-acme,1002,3)", "1002")]
    [TestCase("Goto(tenant-acme,1002,99)", "1002")]
    [TestCase("goto(tenant-acme,1003,1)", "1003")]
    [TestCase("Goto(tenant-acme,1009,1)", "1009")]
    [TestCase("Goto(tenant-acme,01002,1)", "01002")]
    [TestCase("Goto(tenant-acme,s,1)", "s")]
    [TestCase("Goto(acme_ivr_main,1002,1)", null)]
    [TestCase("Goto(tenant-acme-ivr-main,s,1)", null)]
    [TestCase("Goto(tenant-acmex,1002,1)", null)]
    [TestCase("Goto(TENANT-acme,1002,1)", null)]
    [TestCase("Goto(tenant-acme,1002)", null)]
    [TestCase("VoiceMail(1002@tenant-acme)", null)]
    [TestCase("Hangup()", null)]
    [TestCase(null, null)]
    public void The_user_an_external_goto_reaches_is_the_one_the_renderer_reaches(string? action, string? extension)
    {
        Assert.That(ExternalAction.UserExtension(action, "acme"), Is.EqualTo(extension));
        // The renderer, given users 1001-1003 (1001 routed, so the context exists) and the action on a second number,
        // writes lines for 1001 and for the user whose extension UserExtension gives, if there is one, and no other.
        Guid tenant = Samples.G(500), u1 = Samples.G(501), u2 = Samples.G(502), u3 = Samples.G(503);
        var snapshot = new DialplanSnapshot(
            [new TenantSnapshot(tenant, "acme", [new UserSnapshot(u1, "1001"), new UserSnapshot(u2, "1002"),
                new UserSnapshot(u3, "1003")], [new IvrSnapshot(Samples.G(504), "main", "welcome", 5, new Dictionary<string, Destination>(),
                new Destination(DestinationType.Hangup, null), new Destination(DestinationType.Hangup, null))], [])],
            [new RoutedNumber("+15551230001", tenant, AssignmentType.User, u1, null), new RoutedNumber("+15551230002", tenant, AssignmentType.External, null, action)]);
        string extensions;
        try { extensions = RenderedDialplan.Of(snapshot).Extensions; }
        catch (DialplanException)
        {
            Assert.That(extension, Is.Null, "an action the renderer refuses reaches nobody");
            return;
        }
        var dialled = extensions.Split('\n').Where(l => l.Contains(",1,Dial(", StringComparison.Ordinal)).Select(l => l["exten => ".Length..l.IndexOf(',')]).ToList();
        Assert.That(dialled, Is.EquivalentTo(new[] { "1001" }.Concat(extension is "1002" or "1003" ? [extension] : [])));
    }
}
