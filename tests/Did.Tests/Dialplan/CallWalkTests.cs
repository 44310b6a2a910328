using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>The walker on rendered dialplans: where each kind of route sends a call, which rule decided, whether the
/// failover ran, and every step from the trunk's context.</summary>
public class CallWalkTests
{
    private static readonly DateTimeOffset WeekdayNoon = new(2026, 6, 10, 16, 0, 0, TimeSpan.Zero); // Wed 12:00 in New York

    private static CallWalk Walk(DialplanSnapshot snapshot, string number, string? caller, DateTimeOffset at, DialStatus status = DialStatus.Answer)
    {
        var rendered = RenderedDialplan.Of(snapshot);
        return DialplanWalker.Walk(new DialplanTextSource(rendered.Extensions), new WalkRequest(number, caller, at, status),
            QueueSettings.Read(new StringReader(rendered.Queues)));
    }

    private static string Path(CallWalk w) => string.Join(" > ", w.Steps.Select(s => $"{s.Context},{s.Extension},{s.Priority}:{s.Application}"));

    [Test]
    public void A_plain_route_to_a_user_rings_the_user_from_the_trunk_context()
    {
        var w = Walk(Samples.Small(), "+15551234567", "+12125550100", WeekdayNoon);

        Assert.That(Path(w), Is.EqualTo(
            "from-trunk-external,+15551234567,1:Goto > did-15551234,+15551234567,1:Goto > tenant-acme,1001,1:Dial"));
        Assert.That((w.Outcome, w.Rule, w.Failover, w.End), Is.EqualTo((new WalkOutcome(OutcomeType.User, "acme", "1001", null), (int?)null, false, WalkEnd.Answered)));
        Assert.That(w.Steps[2].Note, Is.EqualTo("DIALSTATUS=ANSWER"));
    }

    [Test]
    public void An_unanswered_plain_user_goes_to_the_users_voicemail()
    {
        var w = Walk(Samples.Small(), "+15551234567", null, WeekdayNoon, DialStatus.Noanswer);

        Assert.That(w.Steps.Select(s => s.Application), Is.EqualTo(new[] { "Goto", "Goto", "Dial", "VoiceMail", "Hangup" }));
        Assert.That((w.Outcome!.Type, w.Outcome.Name, w.End), Is.EqualTo((OutcomeType.User, "1001", WalkEnd.HungUp)));
    }

    [Test]
    public void A_number_nobody_is_assigned_gets_the_platform_fallback()
    {
        var inShard = Walk(Samples.Small(), "+15551234999", null, WeekdayNoon);
        var nowhere = Walk(Samples.Small(), "+4930123456", null, WeekdayNoon);

        Assert.That(inShard.Outcome, Is.EqualTo(new WalkOutcome(OutcomeType.Fallback, null, null, "Congestion()")));
        Assert.That(inShard.Steps[^1].Context, Is.EqualTo("did-15551234"));
        Assert.That(nowhere.Outcome, Is.EqualTo(new WalkOutcome(OutcomeType.Fallback, null, null, "Congestion()")));
        Assert.That(nowhere.Steps.Single().Context, Is.EqualTo("from-trunk-external"));
    }

    [Test]
    public void An_ivr_waits_for_a_key_and_an_external_goto_ends_where_it_leads()
    {
        var ivr = Walk(Samples.Small(), "+15557654321", null, WeekdayNoon);
        var external = Walk(Samples.Small(), "+15551234571", null, WeekdayNoon);

        Assert.That((ivr.Outcome, ivr.End), Is.EqualTo((new WalkOutcome(OutcomeType.Ivr, "acme", "main", null), WalkEnd.InIvr)));
        Assert.That(external.Outcome, Is.EqualTo(new WalkOutcome(OutcomeType.Ivr, "acme", "after-hours", null)));
    }

    [Test]
    public void An_external_action_is_the_outcome()
    {
        var w = Walk(Samples.Small(), "+15551234570", null, WeekdayNoon);

        Assert.That((w.Outcome, w.End), Is.EqualTo((new WalkOutcome(OutcomeType.External, null, null, "Playback(custom/acme-closed)"), WalkEnd.HungUp)));
    }

    [Test]
    public void A_caller_prefix_rule_decides_first()
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.RulesNumber, "+442071234567", WeekdayNoon);

        Assert.That((w.Outcome, w.Rule, w.Failover, w.End),
            Is.EqualTo((new WalkOutcome(OutcomeType.Queue, "acme", "support", null), (int?)0, false, WalkEnd.Answered)));
        Assert.That(w.Steps.Select(s => (s.Label, s.Note)), Does.Contain(("rule-0", "true: to queue-support")));
        Assert.That(w.Steps.Select(s => s.Note), Does.Contain("DID_CALLER=+442071234567"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("anonymous")]
    [TestCase("Anonymous <sip:anonymous@anonymous.invalid>")]
    [TestCase("+")]
    public void A_withheld_caller_takes_the_withheld_rule(string? caller)
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.RulesNumber, caller, WeekdayNoon);

        Assert.That((w.Outcome, w.Rule), Is.EqualTo((new WalkOutcome(OutcomeType.External, null, null, "Hangup()"), (int?)1)));
    }

    [Test]
    public void On_a_closed_date_the_holiday_rule_decides()
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.RulesNumber, "+12125550100", new DateTimeOffset(2026, 12, 25, 15, 0, 0, TimeSpan.Zero));

        Assert.That((w.Outcome, w.Rule), Is.EqualTo((new WalkOutcome(OutcomeType.External, null, null, "Playback(custom/holiday)"), (int?)2)));
        Assert.That(w.Steps.Select(s => s.Note), Does.Contain("GOSUB_RETVAL=HOLIDAY"));
        Assert.That(w.Steps.Select(s => s.Context), Does.Contain("acme_sched_office-hours"));
    }

    [Test]
    public void Outside_opening_hours_the_closed_rule_decides()
    {
        var sunday = new DateTimeOffset(2026, 6, 14, 16, 0, 0, TimeSpan.Zero);
        var w = Walk(RouteSamples.Routed(), RouteSamples.RulesNumber, "+12125550100", sunday);

        Assert.That((w.Outcome, w.Rule), Is.EqualTo((new WalkOutcome(OutcomeType.Ivr, "acme", "after-hours", null), (int?)3)));
    }

    [Test]
    public void In_opening_hours_the_default_user_rings_for_the_routes_ring_time()
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.RulesNumber, "+12125550100", WeekdayNoon);

        Assert.That((w.Outcome, w.Rule, w.Failover, w.End), Is.EqualTo((new WalkOutcome(OutcomeType.User, null, "1001", null), (int?)null, false, WalkEnd.Answered)));
        Assert.That(w.Steps[^1], Is.EqualTo(new WalkStep("did-15551230", RouteSamples.RulesNumber, 7, "user-1001", "Dial", "PJSIP/acme-1001,20", "DIALSTATUS=ANSWER")));
    }

    [TestCase(DialStatus.Noanswer)]
    [TestCase(DialStatus.Busy)]
    [TestCase(DialStatus.Chanunavail)]
    [TestCase(DialStatus.Congestion)]
    public void An_unanswered_user_goes_to_the_failover_queue_not_to_voicemail(DialStatus status)
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.RulesNumber, "+12125550100", WeekdayNoon, status);

        Assert.That((w.Outcome, w.Rule, w.Failover, w.End), Is.EqualTo((new WalkOutcome(OutcomeType.Queue, "acme", "support", null), (int?)null, true, WalkEnd.Answered)));
        Assert.That(w.Steps.Select(s => s.Application), Does.Not.Contain("VoiceMail"));
        Assert.That(w.Steps.Select(s => s.Label), Does.Contain("failover"));
    }

    [TestCase(DialStatus.Timeout)]
    [TestCase(DialStatus.Noanswer)]
    public void A_queue_whose_wait_runs_out_goes_to_the_failover_user(DialStatus status)
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.QueueFailoverNumber, "+12125550100", WeekdayNoon, status);

        Assert.That((w.Outcome, w.Failover), Is.EqualTo((new WalkOutcome(OutcomeType.User, "acme", "1002", null), true)));
        Assert.That(w.Steps.Single(s => s.Application == "Queue").Note, Is.EqualTo("nobody answers within 120 s: QUEUESTATUS=TIMEOUT"));
    }

    [Test]
    public void An_empty_queue_with_a_failover_gives_up_at_once()
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.QueueFailoverNumber, null, WeekdayNoon, DialStatus.Joinempty);

        Assert.That((w.Outcome, w.Failover), Is.EqualTo((new WalkOutcome(OutcomeType.User, "acme", "1002", null), true)));
        Assert.That(w.Steps.Single(s => s.Application == "Queue").Note, Is.EqualTo("no member can take the call: QUEUESTATUS=JOINEMPTY"));
    }

    [Test]
    public void A_queue_without_wait_limit_or_failover_keeps_the_caller_waiting()
    {
        var w = Walk(Samples.Small(), "+15551234568", null, WeekdayNoon, DialStatus.Timeout);

        Assert.That((w.Outcome, w.Failover, w.End), Is.EqualTo((new WalkOutcome(OutcomeType.Queue, "acme", "support", null), false, WalkEnd.InQueue)));
    }

    [Test]
    public void A_ring_time_without_failover_ends_in_the_users_voicemail()
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.RingOnlyNumber, null, WeekdayNoon, DialStatus.Noanswer);

        Assert.That(w.Steps.Select(s => s.Application + "(" + s.Data + ")"), Is.EqualTo(new[]
        {
            "Goto(did-15551230,+${FILTER(0-9,${EXTEN})},1)", "Dial(PJSIP/acme-1002,45)", "VoiceMail(1002@tenant-acme)", "Hangup()",
        }));
        Assert.That((w.Outcome, w.Failover), Is.EqualTo((new WalkOutcome(OutcomeType.User, null, "1002", null), false)));
    }

    [Test]
    public void An_external_failover_is_the_outcome_when_the_user_does_not_answer()
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.ExternalFailoverNumber, null, WeekdayNoon, DialStatus.Busy);

        Assert.That((w.Outcome, w.Failover), Is.EqualTo((new WalkOutcome(OutcomeType.External, null, null, "VoiceMail(1002@tenant-acme)"), true)));
    }

    [Test]
    public void A_rule_with_a_caller_and_a_schedule_condition_needs_both()
    {
        var open = WeekdayNoon;
        var closed = new DateTimeOffset(2026, 6, 10, 23, 0, 0, TimeSpan.Zero); // Wed 19:00 in New York

        Assert.That(Walk(RouteSamples.Routed(), RouteSamples.CombinedNumber, "+12125550100", open).Rule, Is.EqualTo(0));
        Assert.That(Walk(RouteSamples.Routed(), RouteSamples.CombinedNumber, "+12125550100", closed).Outcome!.Type, Is.EqualTo(OutcomeType.Ivr));
        Assert.That(Walk(RouteSamples.Routed(), RouteSamples.CombinedNumber, "+13105550100", open).Outcome!.Type, Is.EqualTo(OutcomeType.Ivr));
    }

    [Test]
    public void A_second_schedule_is_entered_for_its_own_rule()
    {
        var saturdayLondon = new DateTimeOffset(2026, 6, 13, 11, 0, 0, TimeSpan.Zero); // 12:00 in London

        var w = Walk(RouteSamples.Routed(), RouteSamples.CombinedNumber, "+12125550100", saturdayLondon);

        Assert.That((w.Outcome, w.Rule), Is.EqualTo((new WalkOutcome(OutcomeType.User, "acme", "1001", null), (int?)1)));
        Assert.That(w.Steps.Where(s => s.Application == "Gosub").Select(s => s.Data),
            Is.EqualTo(new[] { "acme_sched_office-hours,s,1", "acme_sched_weekend,s,1" }));
    }

    [Test]
    public void Steps_name_every_priority_and_what_it_decided()
    {
        var w = Walk(RouteSamples.Routed(), RouteSamples.RulesNumber, "+12125550100", new DateTimeOffset(2026, 12, 25, 15, 0, 0, TimeSpan.Zero));

        Assert.That(w.Steps.Select(s => $"{s.Context},{s.Extension},{s.Priority},{s.Label}:{s.Application} -> {s.Note}"), Is.EqualTo(new[]
        {
            "from-trunk-external,+15551230001,1,:Goto -> ",
            "did-15551230,+15551230001,1,:Set -> DID_CALLER=+12125550100",
            "did-15551230,+15551230001,2,rule-0:GotoIf -> false",
            "did-15551230,+15551230001,3,rule-1:GotoIf -> false",
            "did-15551230,+15551230001,4,:Gosub -> ",
            "acme_sched_office-hours,s,1,:Set -> DID_TODAY=20261225",
            "acme_sched_office-hours,s,2,:GotoIf -> true: to holiday",
            "acme_sched_office-hours,s,11,holiday:Return -> GOSUB_RETVAL=HOLIDAY",
            "did-15551230,+15551230001,5,rule-2:GotoIf -> true: to external-2",
            "did-15551230,+15551230001,13,external-2:Playback -> ",
            "did-15551230,+15551230001,14,:Hangup -> ",
        }));
    }

    [Test]
    public void An_application_the_renderer_does_not_write_stops_the_walk_loudly()
    {
        const string text = "[from-trunk-external]\nexten => +15551230001,1,Answer()\n same => n,System(rm -rf /)\n";

        var e = Assert.Throws<DialplanWalkException>(() =>
            DialplanWalker.Walk(new DialplanTextSource(text), new WalkRequest("+15551230001", null, WeekdayNoon, DialStatus.Answer)));

        Assert.That(e!.Message, Does.Contain("System").And.Contain("line 3"));
        Assert.That(e.Steps.Select(s => s.Application), Is.EqualTo(new[] { "Answer", "System" }));
    }

    [Test]
    public void A_function_the_renderer_does_not_write_stops_the_walk_loudly()
    {
        const string text = "[from-trunk-external]\nexten => +15551230001,1,Set(X=${SHELL(id)})\n";

        Assert.Throws<DialplanWalkException>(() =>
            DialplanWalker.Walk(new DialplanTextSource(text), new WalkRequest("+15551230001", null, WeekdayNoon, DialStatus.Answer)));
    }

    [Test]
    public void A_loop_stops_the_walk()
    {
        const string text = "[from-trunk-external]\nexten => +15551230001,1,Goto(+15551230001,1)\n";

        var e = Assert.Throws<DialplanWalkException>(() =>
            DialplanWalker.Walk(new DialplanTextSource(text), new WalkRequest("+15551230001", null, WeekdayNoon, DialStatus.Answer)));

        Assert.That(e!.Steps, Has.Count.EqualTo(DialplanWalker.MaxSteps));
    }

    [Test]
    public void Caller_id_variants_are_tried_exact_then_pattern_then_plain_whatever_the_file_order()
    {
        const string text = """
            [from-trunk-external]
            exten => +15551230001,1,Playback(plain)
            exten => +15551230001/_+44.,1,Playback(pattern)
            exten => +15551230001/+442071234567,1,Playback(exact)
            """;
        string Heard(string? caller) =>
            DialplanWalker.Walk(new DialplanTextSource(text), new WalkRequest("+15551230001", caller, WeekdayNoon, DialStatus.Answer)).Steps[0].Data;

        Assert.That(Heard("+442071234567"), Is.EqualTo("exact"));
        Assert.That(Heard("+442079999999"), Is.EqualTo("pattern"));
        Assert.That(Heard("+12125550100"), Is.EqualTo("plain"));
        Assert.That(Heard(null), Is.EqualTo("plain"));
        Assert.That(Heard(""), Is.EqualTo("plain"));
    }

    [Test]
    public void The_most_specific_pattern_takes_the_call_whatever_the_file_order()
    {
        const string text = "[from-trunk-external]\nexten => _+X.,1,Playback(any)\nexten => _+1NXX.,1,Playback(nanp)\nexten => _+1555XXXXXXX,1,Playback(555)\n";
        string Heard(string number) =>
            DialplanWalker.Walk(new DialplanTextSource(text), new WalkRequest(number, null, WeekdayNoon, DialStatus.Answer)).Steps[0].Data;

        Assert.That(Heard("+15551230001"), Is.EqualTo("555"));
        Assert.That(Heard("+12125550100"), Is.EqualTo("nanp"));
        Assert.That(Heard("+442071234567"), Is.EqualTo("any"));
    }
}
