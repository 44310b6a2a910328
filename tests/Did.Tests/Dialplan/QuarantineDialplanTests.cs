using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>Quarantined numbers in the rendered dialplan: each gets the platform's intercept in its shard, the walker
/// reports it as QUARANTINE, and the intercept is checked like the fallback.</summary>
public class QuarantineDialplanTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 10, 16, 0, 0, TimeSpan.Zero);

    /// <summary>The small sample with +15551234573 (the gap among acme's numbers) and +15559990000 (a shard of its own)
    /// quarantined.</summary>
    private static DialplanSnapshot WithQuarantined() =>
        Samples.Small() with { Quarantined = [new QuarantinedNumber("+15559990000"), new QuarantinedNumber("+15551234573")] };

    private static CallWalk Walk(DialplanSnapshot snapshot, string number, DialplanSettings? settings = null)
    {
        var rendered = RenderedDialplan.Of(snapshot, settings);
        return DialplanWalker.Walk(new DialplanTextSource(rendered.Extensions), new WalkRequest(number, "+12125550100", At, DialStatus.Answer),
            QueueSettings.Read(new StringReader(rendered.Queues)));
    }

    [Test]
    public void Extensions_file_with_quarantined_numbers_matches_the_golden_file()
    {
        var r = RenderedDialplan.Of(WithQuarantined());
        // Not named extensions*.conf: the fake switch's parser golden (FakeDialplanParserEquivalenceTests) reads those.
        Golden.AssertMatches("Dialplan/quarantine.extensions_custom.conf", r.Extensions);
    }

    [Test]
    public void The_intercept_of_quarantined_numbers_lints_clean()
    {
        var r = RenderedDialplan.Of(WithQuarantined());

        Assert.That(DialplanLinter.Lint(r.Extensions), Is.Empty);
    }

    [Test]
    public void A_quarantined_number_among_routed_ones_gets_the_intercept_in_its_shard_then_hangs_up()
    {
        var w = Walk(WithQuarantined(), "+15551234573");

        Assert.That((w.Outcome, w.Rule, w.Failover, w.End),
            Is.EqualTo((new WalkOutcome(OutcomeType.Quarantine, null, null, "Playback(ss-noservice)"), (int?)null, false, WalkEnd.HungUp)));
        Assert.That(w.Steps.Select(s => (s.Context, s.Application)), Is.EqualTo(new[]
        {
            ("from-trunk-external", "Goto"), ("did-15551234", "Playback"), ("did-15551234", "Hangup"),
        }));
    }

    [Test]
    public void A_quarantined_number_alone_in_its_block_gets_a_shard_of_its_own()
    {
        var w = Walk(WithQuarantined(), "+15559990000");

        Assert.That(w.Outcome, Is.EqualTo(new WalkOutcome(OutcomeType.Quarantine, null, null, "Playback(ss-noservice)")));
        Assert.That(w.Steps[1].Context, Is.EqualTo("did-15559990"));
    }

    [Test]
    public void A_neighbour_of_a_quarantined_number_still_gets_the_fallback()
    {
        var w = Walk(WithQuarantined(), "+15559990001");

        Assert.That(w.Outcome, Is.EqualTo(new WalkOutcome(OutcomeType.Fallback, null, null, "Congestion()")));
    }

    [Test]
    public void The_intercept_is_the_configured_quarantine_action()
    {
        var w = Walk(WithQuarantined(), "+15551234573", new DialplanSettings { QuarantineAction = "Playback(custom/number-retired)" });

        Assert.That(w.Outcome, Is.EqualTo(new WalkOutcome(OutcomeType.Quarantine, null, null, "Playback(custom/number-retired)")));
    }

    [TestCase("Dial(PJSIP/evil)", "APPLICATION_NOT_ALLOWED")]
    [TestCase("Goto(tenant-acme,1001,1)", "CROSS_TENANT_REFERENCE")]
    [TestCase("Playback(${SHELL(id)})", "FORBIDDEN_CHARACTER")]
    public void A_quarantine_action_the_policy_refuses_stops_the_render(string action, string expected)
    {
        var ex = Assert.Throws<DialplanException>(() =>
            RenderedDialplan.Of(WithQuarantined(), new DialplanSettings { QuarantineAction = action }));

        Assert.That(ex!.Problems.Single().Message, Does.StartWith("settings: QuarantineAction").And.Contain(expected));
    }

    [Test]
    public void A_number_both_routed_and_quarantined_is_refused()
    {
        var snapshot = Samples.Small() with { Quarantined = [new QuarantinedNumber("+15551234567")] };

        var ex = Assert.Throws<DialplanException>(() => RenderedDialplan.Of(snapshot));

        Assert.That(ex!.Problems.Single().Message, Is.EqualTo("quarantined number '+15551234567' is also routed"));
    }

    [Test]
    public void A_quarantined_number_that_is_not_e164_is_refused()
    {
        var snapshot = Samples.Small() with { Quarantined = [new QuarantinedNumber("+1555\nexten => s,1,System(id)")] };

        var ex = Assert.Throws<DialplanException>(() => RenderedDialplan.Of(snapshot));

        Assert.That(ex!.Problems.Single().Message, Does.Contain("is not E.164"));
    }
}
