using Did.Dialplan;

namespace Did.Tests.Dialplan;

/// <summary>Snapshots with schedules, rules, failovers and ring times, built on <see cref="Samples.Small"/>. Fixed ids, so
/// rendered files are stable.</summary>
internal static class RouteSamples
{
    public static readonly Guid OfficeHours = Samples.G(51), Weekend = Samples.G(52), SalesQueue = Samples.G(42);

    public const string RulesNumber = "+15551230001", QueueFailoverNumber = "+15551230002", CombinedNumber = "+15551230003",
        RingOnlyNumber = "+15551230004", ExternalFailoverNumber = "+15551230005";

    /// <summary>acme's office hours in New York: Monday to Friday 09:00-17:30, Saturday night 22:00-02:00; closed on
    /// Christmas Day 2026 and from 2026-12-31 to 2027-01-02.</summary>
    public static ScheduleSnapshot OfficeHoursSchedule() => new(OfficeHours, "office-hours", "America/New_York",
        [
            new OpenInterval(WeekDays.Mon | WeekDays.Tue | WeekDays.Wed | WeekDays.Thu | WeekDays.Fri, 9 * 60, 17 * 60 + 30),
            new OpenInterval(WeekDays.Sat, 22 * 60, 2 * 60),
        ],
        [
            new ClosedDates(new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 25), "Christmas Day"),
            new ClosedDates(new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 2), "New Year"),
        ]);

    /// <summary>A schedule with hours only (no closed dates), in London.</summary>
    public static ScheduleSnapshot WeekendSchedule() => new(Weekend, "weekend", "Europe/London",
        [new OpenInterval(WeekDays.Sat | WeekDays.Sun, 10 * 60, 24 * 60)], []);

    /// <summary>The small snapshot, plus: acme's schedules, a queue "sales" with a caller wait limit of 120 s, and five numbers:
    /// <list type="bullet">
    /// <item><see cref="RulesNumber"/>: to Alice, ringing 20 s, failover to the support queue; rules: +44 callers to the
    /// support queue, withheld callers hung up, holidays to a recording, closed to the after-hours IVR.</item>
    /// <item><see cref="QueueFailoverNumber"/>: to the sales queue, failover to Bob.</item>
    /// <item><see cref="CombinedNumber"/>: +1212 callers during office hours to Bob, anyone at the weekend to Alice,
    /// otherwise the main IVR.</item>
    /// <item><see cref="RingOnlyNumber"/>: to Bob, ringing 45 s, no failover (voicemail as before).</item>
    /// <item><see cref="ExternalFailoverNumber"/>: to Alice, failover to Bob's mailbox.</item>
    /// </list></summary>
    public static DialplanSnapshot Routed()
    {
        var small = Samples.Small();
        var acme = small.Tenants[0];
        var tenants = new List<TenantSnapshot>(small.Tenants)
        {
            [0] = acme with
            {
                Queues = [.. acme.Queues, new QueueSnapshot(SalesQueue, "sales", QueueStrategy.Leastrecent, 20, [Samples.Alice, Samples.Bob], MaxWaitSeconds: 120)],
                Schedules = [OfficeHoursSchedule(), WeekendSchedule()],
            },
        };
        var numbers = new List<RoutedNumber>(small.Numbers)
        {
            new(RulesNumber, Samples.Acme, AssignmentType.User, Samples.Alice, null, new RouteOptions(20, Queue(Samples.SupportQueue),
            [
                new RouteRule("+44", false, null, null, Queue(Samples.SupportQueue)),
                new RouteRule(null, true, null, null, External("Hangup()")),
                new RouteRule(null, false, OfficeHours, ScheduleCondition.Holiday, External("Playback(custom/holiday)")),
                new RouteRule(null, false, OfficeHours, ScheduleCondition.Closed, new RouteDestination(AssignmentType.Ivr, Samples.AfterHoursIvr, null)),
            ])),
            new(QueueFailoverNumber, Samples.Acme, AssignmentType.Queue, SalesQueue, null,
                new RouteOptions(null, new RouteDestination(AssignmentType.User, Samples.Bob, null), [])),
            new(CombinedNumber, Samples.Acme, AssignmentType.Ivr, Samples.MainIvr, null, new RouteOptions(null, null,
            [
                new RouteRule("+1212", false, OfficeHours, ScheduleCondition.Open, User(Samples.Bob)),
                new RouteRule(null, false, Weekend, ScheduleCondition.Open, User(Samples.Alice)),
            ])),
            new(RingOnlyNumber, Samples.Acme, AssignmentType.User, Samples.Bob, null, new RouteOptions(45, null, [])),
            new(ExternalFailoverNumber, Samples.Acme, AssignmentType.User, Samples.Alice, null, new RouteOptions(null, External("VoiceMail(1002)"), [])),
        };
        return new DialplanSnapshot(tenants, numbers);
    }

    public static RouteDestination User(Guid id) => new(AssignmentType.User, id, null);
    public static RouteDestination Queue(Guid id) => new(AssignmentType.Queue, id, null);
    public static RouteDestination External(string action) => new(AssignmentType.External, null, action);
}
