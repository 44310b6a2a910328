using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>Caller ID is text the caller controls. Walked through a route with caller rules, a hostile caller ID ends
/// exactly where the digits (and '+') it holds would, and nothing but those reaches a variable, an expression or an
/// application.</summary>
public class HostileCallerTests
{
    private static readonly DateTimeOffset WeekdayNoon = new(2026, 6, 10, 16, 0, 0, TimeSpan.Zero);

    public static IEnumerable<string?> Hostile() => RoutePropertyTests.Callers.Where(c => c is not null && c.Any(ch => !char.IsAsciiDigit(ch) && ch != '+'))
        .Append("\"").Append(")").Append(",").Append("|").Append("\n").Append("${EXTEN}").Append("+44${SHELL(reboot)}")
        .Append(new string('"', 200));

    private static readonly string Text = RenderedDialplan.Of(RouteSamples.Routed()).Extensions;

    private static CallWalk Walk(string? caller) =>
        DialplanWalker.Walk(new DialplanTextSource(Text), new WalkRequest(RouteSamples.RulesNumber, caller, WeekdayNoon, DialStatus.Answer));

    [TestCaseSource(nameof(Hostile))]
    public void A_hostile_caller_id_ends_where_its_digits_would(string caller)
    {
        var digits = new string(caller.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());

        var hostile = Walk(caller);
        var plain = Walk(digits);

        Assert.That((hostile.Outcome, hostile.Rule, hostile.Failover, hostile.End), Is.EqualTo((plain.Outcome, plain.Rule, plain.Failover, plain.End)));
        Assert.That(hostile.Steps.Select(s => (s.Context, s.Extension, s.Priority, s.Application, s.Data)),
            Is.EqualTo(plain.Steps.Select(s => (s.Context, s.Extension, s.Priority, s.Application, s.Data))));
        Assert.That(hostile.Steps.Select(s => s.Note ?? ""), Has.None.Contain("SHELL").And.None.Contain("\n").And.None.Contain("\""));
    }

    [Test]
    public void The_prefix_of_a_hostile_caller_id_is_its_digits()
    {
        Assert.That(Walk("+44\"${SHELL(id)}\"").Rule, Is.EqualTo(0), "+44 callers go to the support queue");
        Assert.That(Walk("\"+44\" = \"+44\"").Rule, Is.EqualTo(0), "the filtered copy is +44+44");
        Assert.That(Walk("+4\n4").Rule, Is.EqualTo(0), "the filtered copy is +44");
        Assert.That(Walk("${CALLERID(num)}").Rule, Is.EqualTo(1), "no digit: withheld");
        Assert.That(Walk(new string('1', 200)).Rule, Is.Null, "200 digits without '+44': opening hours, the default");
    }
}
