using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>What the renderer does with rules, failovers, ring times and schedules beyond the golden files: what it refuses,
/// what it leaves out with a warning, what stays a plain route, and that it stays deterministic.</summary>
public class RouteRenderTests
{
    private static DialplanSnapshot With(RouteOptions options, AssignmentType type = AssignmentType.User, Guid? target = null, string? action = null)
    {
        var s = RouteSamples.Routed();
        return s with { Numbers = [.. s.Numbers, new RoutedNumber("+15551230099", Samples.Acme, type, type == AssignmentType.External ? null : target ?? Samples.Alice, action, options)] };
    }

    private static DialplanException Refused(DialplanSnapshot s) => Assert.Throws<DialplanException>(() => RenderedDialplan.Of(s))!;

    private static string[] LinesOf(string text, string number) =>
        [.. text.Split('\n').Where(l => l.StartsWith("exten => " + number + ",", StringComparison.Ordinal))];

    [Test]
    public void A_rule_to_another_tenants_user_is_refused_under_the_numbers_tenant()
    {
        var e = Refused(With(new RouteOptions(null, null, [new RouteRule("+44", false, null, null, RouteSamples.User(Samples.Dave))])));

        Assert.That(e.Problems.Select(p => (p.TenantId, p.Message)), Is.EqualTo(new[]
        {
            ((Guid?)Samples.Acme, $"number '+15551230099' rule 0 destination: USER {Samples.Dave} belongs to another tenant"),
        }));
    }

    [Test]
    public void A_failover_to_another_tenants_ivr_is_refused() =>
        Assert.That(Refused(With(new RouteOptions(null, new RouteDestination(AssignmentType.Ivr, Samples.BetaIvr, null), []))).Problems.Single().Message,
            Does.Contain("failover: IVR").And.Contain("belongs to another tenant"));

    [Test]
    public void A_rule_on_another_tenants_schedule_is_refused()
    {
        var s = With(new RouteOptions(null, null, [new RouteRule(null, false, RouteSamples.OfficeHours, ScheduleCondition.Open, RouteSamples.User(Samples.Bob))]));
        s = s with { Numbers = [.. s.Numbers.Select(n => n.Number == "+15551230099" ? n with { TenantId = Samples.Beta, TargetId = Samples.Dave } : n)] };

        Assert.That(Refused(s).Problems.Single().Message, Is.EqualTo($"number '+15551230099' rule 0: schedule {RouteSamples.OfficeHours} belongs to another tenant"));
    }

    [TestCase("44", null, false, "caller ID prefix '44' must match")]
    [TestCase("+44", null, true, "has two caller conditions")]
    [TestCase(null, null, false, "has no condition")]
    [TestCase("+4x", null, false, "caller ID prefix '+4x' must match")]
    [TestCase("+1234567890123456", null, false, "caller ID prefix '+1234567890123456' must match")]
    public void A_rule_of_a_shape_the_api_refuses_is_refused(string? prefix, string? unused, bool withheld, string message)
    {
        var e = Refused(With(new RouteOptions(null, null, [new RouteRule(prefix, withheld, null, null, RouteSamples.User(Samples.Bob))])));

        Assert.That(e.Problems.Single().Message, Does.Contain(message));
    }

    [Test]
    public void A_schedule_condition_needs_both_the_schedule_and_when() =>
        Assert.That(Refused(With(new RouteOptions(null, null, [new RouteRule(null, false, RouteSamples.OfficeHours, null, RouteSamples.User(Samples.Bob))])))
            .Problems.Single().Message, Does.Contain("needs both the schedule and when"));

    [Test]
    public void More_than_twenty_rules_are_refused() =>
        Assert.That(Refused(With(new RouteOptions(null, null, [.. Enumerable.Range(0, 21).Select(_ => new RouteRule("+44", false, null, null, RouteSamples.User(Samples.Bob)))])))
            .Problems.Single().Message, Does.Contain("has 21 rules; at most 20"));

    [TestCase(4)]
    [TestCase(601)]
    public void A_ring_time_outside_5_to_600_seconds_is_refused(int seconds) =>
        Assert.That(Refused(With(new RouteOptions(seconds, null, []))).Problems.Single().Message, Does.Contain("ring time must be 5 to 600 seconds"));

    [Test]
    public void A_rule_whose_destination_is_gone_is_left_out_with_a_warning_and_the_others_keep_their_index()
    {
        var gone = Guid.NewGuid();
        var r = RenderedDialplan.Of(With(new RouteOptions(null, null,
        [
            new RouteRule("+44", false, null, null, RouteSamples.User(gone)),
            new RouteRule("+33", false, null, null, RouteSamples.User(Samples.Bob)),
        ])));

        Assert.That(r.Result.Warnings.Select(w => w.Text), Does.Contain($"number '+15551230099' rule 0 destination: USER {gone} does not exist; rule left out"));
        var lines = LinesOf(r.Extensions, "+15551230099");
        Assert.That(lines, Has.None.Contain("rule-0").And.Some.Contain("n(rule-1),GotoIf($[\"${DID_CALLER:0:3}\" = \"+33\"]?user-1002)"));
    }

    [Test]
    public void A_rule_and_a_failover_whose_external_goto_leads_nowhere_are_warned_about_under_their_tenant_and_number()
    {
        var s = With(new RouteOptions(null, new RouteDestination(AssignmentType.External, null, "Goto(tenant-acme,9999,1)"),
            [new RouteRule("+44", false, null, null, new RouteDestination(AssignmentType.External, null, "Goto(tenant-acme,s,1)"))]));
        // A warning about another tenant's data: filed under that tenant, about no number.
        s = s with { Tenants = [.. s.Tenants.Select(t => t.Id != Samples.Beta ? t : t with { Queues = [new QueueSnapshot(Samples.G(98), "sales", QueueStrategy.Ringall, 15, [Samples.G(99)])] })] };

        var warnings = RenderedDialplan.Of(s).Result.Warnings;

        Assert.That(warnings, Is.EqualTo(new[]
        {
            new RenderWarning(Samples.Acme, "+15551230099", "number '+15551230099' failover: EXTERNAL Goto(tenant-acme,9999,1) leads nowhere; no failover"),
            new RenderWarning(Samples.Acme, "+15551230099", "number '+15551230099' rule 0 destination: EXTERNAL Goto(tenant-acme,s,1) leads nowhere; rule left out"),
            new RenderWarning(Samples.Acme, null, $"tenant 'acme': queue 'support' member {Samples.Carol} has no extension; left out"),
            new RenderWarning(Samples.Beta, null, $"tenant 'beta': queue 'sales' member {Samples.G(99)} is not a user; left out"),
        }));
    }

    [Test]
    public void A_rule_whose_schedule_is_gone_is_left_out_with_a_warning()
    {
        var gone = Guid.NewGuid();
        var r = RenderedDialplan.Of(With(new RouteOptions(null, null, [new RouteRule(null, false, gone, ScheduleCondition.Closed, RouteSamples.User(Samples.Bob))])));

        Assert.That(r.Result.Warnings.Select(w => w.Text), Does.Contain($"number '+15551230099' rule 0: schedule {gone} does not exist; rule left out"));
        Assert.That(LinesOf(r.Extensions, "+15551230099"), Is.EqualTo(new[] { "exten => +15551230099,1,Goto(tenant-acme,1001,1)" }));
    }

    [Test]
    public void Options_that_change_nothing_render_the_plain_one_line_route()
    {
        var r = RenderedDialplan.Of(With(new RouteOptions(30, RouteSamples.User(Samples.Bob), []), AssignmentType.Ivr, Samples.MainIvr));

        Assert.That(LinesOf(r.Extensions, "+15551230099"), Is.EqualTo(new[] { "exten => +15551230099,1,Goto(acme_ivr_main,s,1)" }));
    }

    [Test]
    public void A_number_without_options_renders_exactly_as_before()
    {
        var plain = RenderedDialplan.Of(Samples.Small()).Extensions;
        var routed = RenderedDialplan.Of(RouteSamples.Routed()).Extensions;

        foreach (var n in Samples.Small().Numbers)
            Assert.That(LinesOf(routed, n.Number), Is.EqualTo(LinesOf(plain, n.Number)).And.Length.EqualTo(1), n.Number);
    }

    [Test]
    public void Only_a_queue_entered_with_a_failover_gives_up_when_empty()
    {
        var s = Samples.Small();
        var plain = RenderedDialplan.Of(s).Queues;
        var withFailover = RenderedDialplan.Of(s with
        {
            Numbers = [.. s.Numbers, new RoutedNumber("+15551230099", Samples.Acme, AssignmentType.Queue, Samples.SupportQueue, null,
                new RouteOptions(null, RouteSamples.User(Samples.Bob), []))],
        }).Queues;

        Assert.That(plain, Does.Not.Contain("joinempty"));
        Assert.That(withFailover, Does.Contain("joinempty = paused,penalty,invalid,unavailable\nleavewhenempty = paused,penalty,invalid,unavailable\n"));
        Assert.That(withFailover, Does.Contain("member => Local/1001@acme_members/n,0,,PJSIP/acme-1001\n"));
    }

    [Test]
    public void A_queues_wait_limit_is_its_timeout_wherever_it_is_entered()
    {
        var text = RenderedDialplan.Of(RouteSamples.Routed()).Extensions;

        Assert.That(text, Does.Contain("[acme_queue_sales]\nexten => s,1,Answer()\n same => n,Queue(acme_sales,,,,120)\n"));
        Assert.That(LinesOf(text, RouteSamples.QueueFailoverNumber), Does.Contain("exten => +15551230002,n,Queue(acme_sales,,,,120)"));
    }

    [TestCase("America/New York")]
    [TestCase("America/New_York,x")]
    [TestCase("/etc/passwd")]
    [TestCase("")]
    public void A_time_zone_that_cannot_be_written_safely_is_refused(string zone)
    {
        var s = RouteSamples.Routed();
        var acme = s.Tenants[0] with { Schedules = [RouteSamples.OfficeHoursSchedule() with { TimeZone = zone }] };

        Assert.That(Refused(s with { Tenants = [acme, s.Tenants[1]] }).Problems.Select(p => p.Message), Has.Some.Contain("time zone"));
    }

    [TestCase(600, 600, "runs from minute 600 to 600")]
    [TestCase(1440, 60, "runs from minute 1440 to 60")]
    [TestCase(0, 1441, "runs from minute 0 to 1441")]
    public void An_interval_the_api_refuses_is_refused(int from, int to, string message)
    {
        var s = RouteSamples.Routed();
        var schedule = RouteSamples.OfficeHoursSchedule() with { Open = [new OpenInterval(WeekDays.Mon, from, to)] };
        var acme = s.Tenants[0] with { Schedules = [schedule, RouteSamples.WeekendSchedule()] };

        Assert.That(Refused(s with { Tenants = [acme, s.Tenants[1]] }).Problems.Select(p => p.Message), Has.Some.Contain(message));
    }

    [Test]
    public void Closed_dates_that_end_before_they_start_are_refused()
    {
        var s = RouteSamples.Routed();
        var schedule = RouteSamples.OfficeHoursSchedule() with { Closed = [new ClosedDates(new DateOnly(2026, 12, 26), new DateOnly(2026, 12, 25), "x")] };
        var acme = s.Tenants[0] with { Schedules = [schedule, RouteSamples.WeekendSchedule()] };

        Assert.That(Refused(s with { Tenants = [acme, s.Tenants[1]] }).Problems.Select(p => p.Message), Has.Some.Contain("end before they start"));
    }

    [Test]
    public void The_longest_slug_and_schedule_name_fit_asterisks_context_names()
    {
        var slug = "a" + new string('b', 30);
        var name = new string('s', 40);
        var context = ContextNames.Schedule(slug, name);
        var snapshot = new DialplanSnapshot([new TenantSnapshot(Samples.Acme, slug, [], [], [], [RouteSamples.OfficeHoursSchedule() with { Name = name }])], []);

        Assert.That(context, Has.Length.LessThanOrEqualTo(ContextNames.MaxLength));
        Assert.That(RenderedDialplan.Of(snapshot).Result.ContextNames, Does.Contain(context));
    }

    [Test]
    public void Shuffled_intervals_and_closed_dates_render_identical_bytes()
    {
        var s = RouteSamples.Routed();
        var acme = s.Tenants[0];
        var shuffled = acme with
        {
            Schedules = [.. acme.Schedules!.Reverse().Select(x => x with { Open = [.. x.Open.Reverse()], Closed = [.. x.Closed.Reverse()] })],
        };

        Assert.That(RenderedDialplan.Of(s with { Tenants = [shuffled, s.Tenants[1]] }).Extensions,
            Is.EqualTo(RenderedDialplan.Of(s).Extensions));
    }

    [Test]
    public void Routes_with_rules_stay_within_their_shard_and_the_sharding_is_unchanged()
    {
        var r = RenderedDialplan.Of(RouteSamples.Routed());

        Assert.That(r.Result.ContextNames.Where(c => ContextNames.IsShard(c)), Is.EqualTo(new[] { "did-15551230", "did-15551234", "did-15557654", "did-442071234" }));
        Assert.That(r.Extensions.Split("\n[").Single(c => c.StartsWith("did-15551230]", StringComparison.Ordinal)).Split('\n')
            .Where(l => l.StartsWith("exten => +", StringComparison.Ordinal)).Select(l => l.Split(',')[0]).Distinct(),
            Is.EqualTo(new[] { "exten => +15551230001", "exten => +15551230002", "exten => +15551230003", "exten => +15551230004", "exten => +15551230005" }));
    }
}
