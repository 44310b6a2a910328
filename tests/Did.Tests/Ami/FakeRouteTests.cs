using Did.Dialplan;
using Did.Features.Apply;
using Did.Infrastructure.Ami;
using Did.Tests.Dialplan;
using Did.Tests.Fakes;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Did.Tests.Ami;

/// <summary>The fake switch with routes that have rules: it installs and lists caller-ID variants as the recorded Asterisk
/// does, Apply's verify step compares what it lists with the file as multisets, and a call walked on the fake (by its own
/// reading of the dialplan) takes the path the service's walker says.</summary>
public sealed class FakeRouteTests
{
    private const string Variants = """
        [did-1555123]
        exten => +15551230001,1,Goto(tenant-acme,1001,1)
        exten => +15551230001/_+44.,1,Goto(tenant-acme,1002,1)
        exten => +15551230001/+442071234567,1,Hangup()
        exten => _+X.,1,Congestion()

        [tenant-acme]
        exten => 1001,1,Dial(PJSIP/acme-1001,30)
        exten => 1002,1,Dial(PJSIP/acme-1002,30)

        """;

    [Test]
    public async Task Caller_id_variants_are_listed_as_more_priority_ones_of_one_extension()
    {
        await using var node = await Node.StartAsync(Variants);
        await using var ami = new AmiClient(node.Fake.ClientOptions());
        await ami.ConnectAsync();

        var shown = await ami.ShowDialPlanAsync("did-1555123");

        Assert.That(shown.Entries.Select(e => (e.Extension, e.Priority, e.Application, e.AppData)), Is.EqualTo(new[]
        {
            ("+15551230001", (int?)1, "Hangup", ""),
            ("+15551230001", 1, "Goto", "tenant-acme,1002,1"),
            ("+15551230001", 1, "Goto", "tenant-acme,1001,1"),
            ("_+X.", 1, "Congestion", ""),
        }), "exact caller ID, caller-ID pattern, plain: Asterisk's order, whatever the file's");
    }

    [Test]
    public async Task Verify_passes_when_the_switch_runs_every_variant()
    {
        await using var node = await Node.StartAsync(Variants);

        Assert.That(await node.VerifyAsync(), Is.EqualTo("2 contexts and 6 priorities match."));
    }

    [Test]
    public async Task Verify_names_a_variant_the_switch_runs_differently()
    {
        await using var node = await Node.StartAsync(Variants, installed: Variants.Replace("/_+44.,1,Goto(tenant-acme,1002,1)", "/_+44.,1,Goto(tenant-acme,1001,1)"));

        var e = Assert.ThrowsAsync<ApplyStepException>(node.VerifyAsync);

        Assert.That(e!.Message, Does.Contain("'did-1555123' +15551230001,1 runs").And.Contain("not Goto(tenant-acme,1002,1)"));
    }

    [Test]
    public async Task Verify_names_a_variant_the_switch_dropped()
    {
        await using var node = await Node.StartAsync(Variants, installed: Variants.Replace("exten => +15551230001/+442071234567,1,Hangup()\n", ""));

        var e = Assert.ThrowsAsync<ApplyStepException>(node.VerifyAsync);

        Assert.That(e!.Message, Does.Contain("'did-1555123' lacks +15551230001 priority 1 (line 4)"));
    }

    [Test]
    public async Task Verify_passes_for_a_rendered_dialplan_with_rules_schedules_and_failovers()
    {
        var rendered = RenderedDialplan.Of(RouteSamples.Routed());
        await using var node = await Node.StartAsync(rendered.Extensions);

        Assert.That(await node.VerifyAsync(), Does.StartWith($"{rendered.Result.Contexts} contexts and "));
    }

    private static readonly DateTimeOffset[] Moments =
    [
        new(2026, 6, 10, 16, 0, 0, TimeSpan.Zero), // Wednesday noon in New York
        new(2026, 12, 25, 15, 0, 0, TimeSpan.Zero), // Christmas Day
        new(2026, 6, 14, 16, 0, 0, TimeSpan.Zero), // Sunday
        new(2026, 6, 13, 11, 0, 0, TimeSpan.Zero), // Saturday noon in London
        new(2026, 6, 14, 5, 30, 0, TimeSpan.Zero), // Sunday 01:30 in New York, after Saturday night's opening
    ];

    /// <summary>The recorded switch cannot reach a phone, so every Dial fails (CHANUNAVAIL) and a queue has nobody to
    /// offer: the service's walk with that status runs the same priorities as the fake's own walk, up to the point the
    /// service lets a failover's destination answer.</summary>
    [Test]
    public void The_fake_switch_walks_a_call_where_the_service_walker_does()
    {
        var rendered = RenderedDialplan.Of(RouteSamples.Routed());
        var plan = FakeDialplanParser.Parse(rendered.Extensions);
        var queues = FakeQueuesParser.Parse(rendered.Queues);
        var source = new DialplanTextSource(rendered.Extensions);
        var settings = QueueSettings.Read(new StringReader(rendered.Queues));
        var numbers = RouteSamples.Routed().Numbers.Select(n => n.Number).Append("+15551230999").Append("+4930123456").ToList();
        var compared = 0;
        foreach (var number in numbers)
            foreach (var caller in new[] { null, "+442071234567", "+12125550100", "anonymous", "+44\"${SHELL(id)}\"" })
                foreach (var at in Moments)
                {
                    var service = DialplanWalker.Walk(source, new WalkRequest(number, caller, at, DialStatus.Chanunavail), settings)
                        .Steps.Select(s => (s.Context, s.Extension, s.Priority, s.Application, s.Data)).ToList();
                    var fake = FakeCallWalk.Call(plan, queues, number, caller, at)
                        .Select(s => (s.Context, s.Extension, s.Priority, s.Application, s.AppData)).ToList();
                    Assert.That(fake.Take(service.Count), Is.EqualTo(service), $"{number} from {caller} at {at:u}");
                    compared++;
                }
        Assert.That(compared, Is.EqualTo(numbers.Count * 5 * Moments.Length));
    }

    /// <summary>One fake switch with a config folder, the file the service rendered in it, and what it installed.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly string _dir;

        private Node(string dir, FakeAsterisk fake)
        {
            _dir = dir;
            Fake = fake;
        }

        public FakeAsterisk Fake { get; }

        public static async Task<Node> StartAsync(string rendered, string? installed = null)
        {
            var dir = Directory.CreateTempSubdirectory("fake-route-").FullName;
            await File.WriteAllTextAsync(Path.Combine(dir, DialplanRenderer.ExtensionsFileName), installed ?? rendered);
            var fake = await FakeAsterisk.StartAsync(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, DialplanRenderer.ExtensionsFileName), rendered);
            return new Node(dir, fake);
        }

        public Task<string> VerifyAsync()
        {
            var path = Path.Combine(_dir, DialplanRenderer.ExtensionsFileName);
            var digests = new List<ContextDigest>();
            using (var reader = new StreamReader(path)) Assert.That(DialplanLinter.Lint(reader, null, digests), Is.Empty);
            var node = new AsteriskNode("asterisk", _dir, Path.Combine(_dir, "backup"), new AmiSessionFactory(Options.Create(Fake.ClientOptions())));
            return NodeSwitch.VerifyAsync(node, path, digests, [], 1, CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await Fake.DisposeAsync();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
