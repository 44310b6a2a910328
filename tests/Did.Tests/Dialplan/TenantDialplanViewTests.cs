using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public sealed class TenantDialplanViewTests
{
    private static readonly Guid Acme = new("00000000-0000-4000-8000-00000000000a");
    private static readonly Guid Globex = new("00000000-0000-4000-8000-00000000000b");

    private static DialplanSnapshot Snapshot()
    {
        var alice = new UserSnapshot(Guid.NewGuid(), "1001");
        var ivr = new IvrSnapshot(Guid.NewGuid(), "main", "custom/welcome", 5, new Dictionary<string, Destination>(),
            new Destination(DestinationType.Hangup, null), new Destination(DestinationType.Hangup, null));
        var queue = new QueueSnapshot(Guid.NewGuid(), "sales", QueueStrategy.Ringall, 20, [alice.Id]);
        return new DialplanSnapshot(
            [new TenantSnapshot(Acme, "acme", [alice], [ivr], [queue]), new TenantSnapshot(Globex, "globex", [], [], [])],
            [
                new RoutedNumber("+15551230001", Acme, AssignmentType.User, alice.Id, null),
                new RoutedNumber("+15551230002", Globex, AssignmentType.External, null, "Hangup()"),
            ]);
    }

    [Test]
    public void A_tenant_sees_its_own_contexts_and_queue_sections_whole()
    {
        var view = TenantDialplanView.For(Snapshot(), Acme);
        foreach (var section in new[] { ContextNames.Tenant("acme"), ContextNames.Ivr("acme", "main"), ContextNames.Queue("acme", "sales"), ContextNames.QueueSection("acme", "sales") })
            Assert.That(view.Shows(section, "anything at all"), Is.True, section);
        Assert.That(view.Shows(ContextNames.Tenant("globex"), "exten => 2001,1,Dial(PJSIP/2001)"), Is.False);
        Assert.That(view.Shows(ContextNames.FromTrunk, "exten => _+1555123XXX,1,Goto(did-1555123,${EXTEN},1)"), Is.False);
    }

    [TestCase("exten => +15551230001,1,Goto(tenant-acme,1001,1)", true)]
    [TestCase("  EXTEN=>+15551230001 , 1,Goto(tenant-acme,1001,1)", true)]
    [TestCase("exten => +15551230001/+15550000000,1,Hangup()", true)]
    [TestCase("exten => +15551230002,1,Hangup()", false)]
    [TestCase("exten => _+X.,1,Congestion()", false)]
    [TestCase(" same => n,Hangup()", false)]
    [TestCase("[did-1555123]", false)]
    public void In_a_shared_shard_a_tenant_sees_the_lines_of_its_own_numbers(string line, bool shown) =>
        Assert.That(TenantDialplanView.For(Snapshot(), Acme).Shows(ContextNames.Shard("+15551230001", 3), line), Is.EqualTo(shown));

    [Test]
    public void A_tenant_sees_its_schedules_and_every_line_of_its_routes_with_rules_and_no_other_tenants()
    {
        var routed = RouteSamples.Routed();
        var rendered = RenderedDialplan.Of(routed).Extensions;
        var acme = TenantDialplanView.For(routed, Samples.Acme);
        var beta = TenantDialplanView.For(routed, Samples.Beta);
        var shard = ContextNames.Shard(RouteSamples.RulesNumber, 3);
        var routeLines = rendered.Split('\n').Where(l => l.StartsWith("exten => " + RouteSamples.RulesNumber + ",", StringComparison.Ordinal)).ToList();

        Assert.That(routeLines, Has.Count.GreaterThan(10));
        Assert.That(routeLines, Has.All.Matches<string>(l => acme.Shows(shard, l)));
        Assert.That(routeLines, Has.None.Matches<string>(l => beta.Shows(shard, l)));
        Assert.That(acme.Shows(ContextNames.Schedule("acme", "office-hours"), " same => n(open),Return(OPEN)"), Is.True);
        Assert.That(beta.Shows(ContextNames.Schedule("acme", "office-hours"), " same => n(open),Return(OPEN)"), Is.False);
    }

    [Test]
    public void A_tenant_counts_only_its_own_numbers_and_an_unknown_tenant_sees_nothing()
    {
        Assert.That(TenantDialplanView.For(Snapshot(), Acme).NumbersRouted, Is.EqualTo(1));
        var nobody = TenantDialplanView.For(Snapshot(), Guid.NewGuid());
        Assert.That(nobody.NumbersRouted, Is.Zero);
        Assert.That(nobody.Shows(ContextNames.Tenant("acme"), "exten => 1001,1,Dial(PJSIP/1001)"), Is.False);
    }

    [Test]
    public void A_blank_line_is_nobodys_even_in_a_tenants_own_context() =>
        Assert.That(TenantDialplanView.For(Snapshot(), Acme).Shows(ContextNames.Tenant("acme"), "  "), Is.False);
}
