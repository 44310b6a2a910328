using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>Random route sets rendered, then random calls walked through the rendered text: every walk must end where a
/// plain model of the rules says (written here from the rules, not from the renderer). A disagreement is a
/// renderer (or walker) bug; the message names the seed, the number, the call and the steps.</summary>
public class RoutePropertyTests
{
    private static readonly Guid Tenant = Samples.G(500);
    private static readonly string[] Extensions = ["1001", "1002", "1003", "1004"];
    private static readonly string[] Ivrs = ["main", "night"];
    private static readonly (string Name, int? MaxWait)[] Queues = [("support", null), ("sales", 60), ("vip", 30)];
    private static readonly string[] Zones = ["America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles", "UTC"];
    private static readonly string[] Prefixes = ["+44", "+1", "+1212", "+33", "+4420"];

    /// <summary>EXTERNAL actions as typed, and as the switch runs them (a mailbox gets its tenant's context).</summary>
    private static readonly (string Typed, string Runs)[] Actions =
        [("Hangup()", "Hangup()"), ("Playback(custom/closed)", "Playback(custom/closed)"), ("VoiceMail(1001)", "VoiceMail(1001@tenant-acme)"), ("Busy(20)", "Busy(20)")];

    /// <summary>Callers a carrier may send, hostile ones included: quotes, ${...}, ')', ',', '|', newlines, 200 characters.</summary>
    public static readonly string?[] Callers =
    [
        null, "", "anonymous", "Anonymous", "+", "+442071234567", "442071234567", "+12125550100", "+1 (212) 555-0100", "+33123456789",
        "+44\"${SHELL(id)}\"", "\"+44\" = \"+44\"", "+44)&1|(", "+1,212|555\n0100", "${CALLERID(num)}", "$[1]+44", "+4\n4",
        new string('1', 200), "+" + new string('4', 199), "+44\r\n[evil]\nexten => s,1,System(id)",
    ];

    private sealed record World(DialplanSnapshot Snapshot, Dictionary<Guid, string> Names);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    public void Every_walk_ends_where_the_rules_say(int seed)
    {
        var random = new Random(seed);
        var world = BuildWorld(random);
        var rendered = RenderedDialplan.Of(world.Snapshot);
        Assert.That(DialplanLinter.Lint(rendered.Extensions), Is.Empty, "the random route set renders a clean dialplan");
        var source = new DialplanTextSource(rendered.Extensions);
        var queues = QueueSettings.Read(new StringReader(rendered.Queues));
        // The same text as a live file read by byte ranges, one extension at a time (what the simulator walks).
        var path = Path.Combine(Path.GetTempPath(), $"did-property-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, rendered.Extensions);
        using var file = Did.Features.Routing.DialplanFile.OpenAsync(path, cache: false, CancellationToken.None).GetAwaiter().GetResult()!;
        File.Delete(path);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var checks = 0;
        foreach (var number in world.Snapshot.Numbers)
        {
            for (var call = 0; call < 40; call++)
            {
                var caller = Callers[random.Next(Callers.Length)];
                var at = start.AddMinutes(random.Next(2 * 365 * 24 * 60));
                var status = (DialStatus)random.Next(7);
                var expected = Model.Expect(world, number, caller, at, status);
                var walk = DialplanWalker.Walk(source, new WalkRequest(number.Number, caller, at, status), queues);
                var fromFile = DialplanWalker.Walk(file, new WalkRequest(number.Number, caller, at, status), queues);
                Assert.That(fromFile.Steps, Is.EqualTo(walk.Steps), "the live file walks as the text does");
                var actual = (Describe(walk.Outcome), walk.Rule, walk.Failover);
                if (actual != expected)
                    Assert.Fail($"seed {seed}, {number.Number}, caller {Grammar.Quote(caller)}, at {at:u}, {status}: expected {expected}, walked {actual}\n"
                                + string.Join("\n", walk.Steps.Select(s => $"  [{s.Context}] {s.Extension},{s.Priority}({s.Label}) {s.Application}({s.Data}) {s.Note}")));
                checks++;
            }
        }
        // A quarantined number gets the platform's intercept whoever calls and whenever: never a route, never the fallback.
        foreach (var q in world.Snapshot.Quarantined!)
        {
            for (var call = 0; call < 10; call++)
            {
                var caller = Callers[random.Next(Callers.Length)];
                var at = start.AddMinutes(random.Next(2 * 365 * 24 * 60));
                var walk = DialplanWalker.Walk(source, new WalkRequest(q.Number, caller, at, (DialStatus)random.Next(7)), queues);
                Assert.That((Describe(walk.Outcome), walk.Rule, walk.Failover, walk.End),
                    Is.EqualTo(("Quarantine Playback(ss-noservice)", (int?)null, false, WalkEnd.HungUp)), $"seed {seed}, quarantined {q.Number}");
                checks++;
            }
        }
        Assert.That(checks, Is.EqualTo(world.Snapshot.Numbers.Count * 40 + world.Snapshot.Quarantined!.Count * 10));
    }

    private static string Describe(WalkOutcome? o) => o is null ? "none" : o.Type switch
    {
        OutcomeType.External or OutcomeType.Fallback or OutcomeType.Quarantine => $"{o.Type} {o.Value}",
        _ => $"{o.Type} {o.Name}",
    };

    private static World BuildWorld(Random random)
    {
        var names = new Dictionary<Guid, string>();
        Guid Id(string name)
        {
            var id = Guid.NewGuid();
            names[id] = name;
            return id;
        }
        var users = Extensions.Select(e => new UserSnapshot(Id(e), e)).ToList();
        var ivrs = Ivrs.Select(n => new IvrSnapshot(Id(n), n, "custom/menu", 5, new Dictionary<string, Destination>(),
            new Destination(DestinationType.Hangup, null), new Destination(DestinationType.Hangup, null))).ToList();
        var queues = Queues.Select(q => new QueueSnapshot(Id(q.Name), q.Name, QueueStrategy.Ringall, 15, [users[0].Id, users[1].Id], q.MaxWait)).ToList();
        var schedules = Enumerable.Range(0, 3).Select(i => RandomSchedule(random, Id($"s{i}"), $"s{i}")).ToList();

        RouteDestination Destination()
        {
            return random.Next(4) switch
            {
                0 => new RouteDestination(AssignmentType.User, users[random.Next(users.Count)].Id, null),
                1 => new RouteDestination(AssignmentType.Ivr, ivrs[random.Next(ivrs.Count)].Id, null),
                2 => new RouteDestination(AssignmentType.Queue, queues[random.Next(queues.Count)].Id, null),
                _ => new RouteDestination(AssignmentType.External, null, Actions[random.Next(Actions.Length)].Typed),
            };
        }

        RouteRule Rule()
        {
            var caller = random.Next(3);
            var withSchedule = caller == 0 || random.Next(2) == 0;
            var schedule = withSchedule ? schedules[random.Next(schedules.Count)].Id : (Guid?)null;
            return new RouteRule(caller == 1 ? Prefixes[random.Next(Prefixes.Length)] : null, caller == 2, schedule,
                withSchedule ? (ScheduleCondition)random.Next(3) : null, Destination());
        }

        var numbers = new List<RoutedNumber>();
        for (var i = 0; i < 30; i++)
        {
            var d = Destination();
            var options = random.Next(10) < 8
                ? new RouteOptions(random.Next(3) == 0 ? random.Next(5, 601) : null, random.Next(2) == 0 ? Destination() : null,
                    [.. Enumerable.Range(0, random.Next(6)).Select(_ => Rule())])
                : null;
            numbers.Add(new RoutedNumber("+1555987" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), Tenant, d.Type, d.Id, d.ExternalAction, options));
        }
        // Quarantined numbers among the routed ones (their shard: +1555987nnnn, nnnn from 0030 up, a random few) and alone.
        var quarantined = Enumerable.Range(30, 20).Where(_ => random.Next(3) == 0)
            .Select(i => new QuarantinedNumber("+1555987" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)))
            .Append(new QuarantinedNumber("+15559881234")) // a shard of its own
            .ToList();
        return new World(new DialplanSnapshot([new TenantSnapshot(Tenant, "acme", users, ivrs, queues, schedules)], numbers, quarantined), names);
    }

    private static ScheduleSnapshot RandomSchedule(Random random, Guid id, string name)
    {
        var open = Enumerable.Range(0, random.Next(1, 5)).Select(_ =>
        {
            var from = random.Next(96) * 15;
            int to;
            do to = random.Next(1, 97) * 15; while (to == from);
            return new OpenInterval((WeekDays)random.Next(1, 128), from, to);
        }).ToList();
        var closed = Enumerable.Range(0, random.Next(4)).Select(_ =>
        {
            var from = new DateOnly(2026, 1, 1).AddDays(random.Next(730));
            return new ClosedDates(from, from.AddDays(random.Next(5)), "closed");
        }).ToList();
        return new ScheduleSnapshot(id, name, Zones[random.Next(Zones.Length)], open, closed);
    }

    /// <summary>The rules, in plain C#.</summary>
    private static class Model
    {
        public static (string Outcome, int? Rule, bool Failover) Expect(World world, RoutedNumber n, string? caller, DateTimeOffset at, DialStatus status)
        {
            var tenant = world.Snapshot.Tenants[0];
            var o = n.Options;
            int? decided = null;
            var rules = o?.Rules ?? [];
            for (var i = 0; i < rules.Count && decided is null; i++)
                if (Holds(rules[i], tenant, caller, at)) decided = i;
            var destination = decided is { } r ? rules[r].Destination : new RouteDestination(n.Type, n.TargetId, n.ExternalAction);
            var failover = o?.Failover;
            var taken = status == DialStatus.Answer || destination.Type switch
            {
                AssignmentType.User => false,
                AssignmentType.Queue => !QueueGivesUp(world, destination.Id!.Value, status),
                _ => true,
            };
            if (taken || failover is null) return (Name(world, destination), decided, false);
            return (Name(world, failover), decided, true);
        }

        // Caller ID is compared only through a copy reduced to digits and '+'; withheld means no digit is left.
        private static bool Holds(RouteRule rule, TenantSnapshot tenant, string? caller, DateTimeOffset at)
        {
            var filtered = new string((caller ?? "").Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
            if (rule.CallerIdPrefix is { } prefix && !filtered.StartsWith(prefix, StringComparison.Ordinal)) return false;
            if (rule.CallerWithheld && filtered.Any(char.IsAsciiDigit)) return false;
            if (rule.ScheduleId is { } id)
            {
                var state = State(tenant.Schedules!.Single(s => s.Id == id), at);
                var holds = rule.When switch
                {
                    ScheduleCondition.Open => state == "OPEN",
                    ScheduleCondition.Closed => state != "OPEN",
                    _ => state == "HOLIDAY",
                };
                if (!holds) return false;
            }
            return true;
        }

        // Wall-clock time in the schedule's zone: a closed date is a local date; an interval runs from its first minute up
        // to (not including) its end, past midnight into the next day when it ends at or before it starts, unless the day
        // it began was closed.
        private static string State(ScheduleSnapshot s, DateTimeOffset at)
        {
            var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone));
            var date = DateOnly.FromDateTime(local.DateTime);
            if (s.Closed.Any(c => c.From <= date && date <= c.To)) return "HOLIDAY";
            var minute = local.Hour * 60 + local.Minute;
            var today = Day(local.DayOfWeek);
            var yesterday = Day(local.AddDays(-1).DayOfWeek);
            foreach (var i in s.Open)
            {
                var open = i.ToMinute > i.FromMinute
                    ? i.Days.HasFlag(today) && minute >= i.FromMinute && minute < i.ToMinute
                    : i.Days.HasFlag(today) && minute >= i.FromMinute
                      || i.Days.HasFlag(yesterday) && minute < i.ToMinute && !s.Closed.Any(c => c.From <= date.AddDays(-1) && date.AddDays(-1) <= c.To);
                if (open) return "OPEN";
            }
            return "CLOSED";
        }

        private static WeekDays Day(DayOfWeek d) => d == DayOfWeek.Sunday ? WeekDays.Sun : (WeekDays)(1 << ((int)d - 1));

        // A queue gives the call back when the caller's wait limit runs out, or at once when nobody can take it if some
        // route enters that queue with a failover after it (then the queue is set to give up when empty).
        private static bool QueueGivesUp(World world, Guid queue, DialStatus status)
        {
            var q = world.Snapshot.Tenants[0].Queues.Single(x => x.Id == queue);
            var emptyLike = status is DialStatus.Joinempty or DialStatus.Chanunavail;
            var entersWithFailover = world.Snapshot.Numbers.Any(n => n.Options?.Failover is not null
                && (n.Type == AssignmentType.Queue && n.TargetId == queue || n.Options.Rules.Any(r => r.Destination.Id == queue)));
            return q.MaxWaitSeconds is not null || emptyLike && entersWithFailover;
        }

        private static string Name(World world, RouteDestination d) => d.Type switch
        {
            AssignmentType.External => "External " + Actions.Single(a => a.Typed == d.ExternalAction).Runs,
            AssignmentType.User => "User " + world.Names[d.Id!.Value],
            AssignmentType.Ivr => "Ivr " + world.Names[d.Id!.Value],
            _ => "Queue " + world.Names[d.Id!.Value],
        };
    }
}
