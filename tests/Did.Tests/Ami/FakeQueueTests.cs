using Did.Dialplan;
using Did.Infrastructure.Ami;
using Did.Tests.Dialplan;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Ami;

/// <summary>The fake switch's queues and its walk of a queue member's leg.</summary>
public sealed class FakeQueueTests
{
    // What the recorder wrote before transcript 12, and the dialplan it ran against (tests/Did.Tests/Transcripts/README.md).
    private const string RecordedQueues = "[acme-support]\nstrategy = ringall\ntimeout = 15\nmember => Local/1001@tenant-acme\n";
    private const string RecordedDialplan = """
        [tenant-acme]
        exten => 1001,1,Dial(PJSIP/acme-1001,30)
         same => n,VoiceMail(1001@tenant-acme)
         same => n,Hangup()
        """;

    [Test]
    public void Queues_file_installs_each_section_with_its_settings_and_members()
    {
        var queues = FakeQueuesParser.Parse("; header\n[general]\npersistentmembers = yes\n" + RecordedQueues
            + "[b]\nmember => Local/2@x/n,0,Bob,PJSIP/b-2 ; comment\n");

        Assert.That(queues.Keys, Is.EquivalentTo(new[] { "acme-support", "b" }));
        Assert.That(queues["acme-support"].Settings, Is.EquivalentTo(new Dictionary<string, string> { ["strategy"] = "ringall", ["timeout"] = "15" }));
        Assert.That(queues["acme-support"].Members.Single(), Is.EqualTo(new FakeQueueMember("Local/1001@tenant-acme", null, null, null)));
        Assert.That(queues["b"].Members.Single(), Is.EqualTo(new FakeQueueMember("Local/2@x/n", "0", "Bob", "PJSIP/b-2")));
    }

    [Test]
    public void Queue_names_are_cut_at_79_characters_and_found_ignoring_case()
    {
        var long1 = new string('q', 79) + "-one";
        var long2 = new string('q', 79) + "-two";
        var queues = FakeQueuesParser.Parse($"[{long1}]\nmember => Local/1@a\n[{long2}]\nmember => Local/2@b\n[Sales]\n[sales]\nmember => Local/3@c\n");

        Assert.That(queues, Has.Count.EqualTo(2), "the two long names become one queue, Sales and sales another");
        Assert.That(queues[new string('q', 79)].Members.Select(m => m.Interface), Is.EqualTo(new[] { "Local/1@a", "Local/2@b" }));
        Assert.That(queues["SALES"].Members.Single().Interface, Is.EqualTo("Local/3@c"));
    }

    [Test]
    public void Context_names_are_cut_at_79_characters()
    {
        var plan = FakeDialplanParser.Parse($"[{new string('c', 79)}-a]\nexten => 1,1,Hangup()\n[{new string('c', 79)}-b]\nexten => 2,1,Hangup()\n");

        Assert.That(plan.Contexts.Keys.Single(), Is.EqualTo(new string('c', 79)));
        Assert.That(plan.Contexts.Values.Single().Extensions.Select(e => e.Name), Is.EqualTo(new[] { "1", "2" }));
    }

    [Test]
    public void A_member_into_the_users_context_reaches_voicemail_as_measured()
    {
        var queue = FakeQueuesParser.Parse(RecordedQueues)["acme-support"];

        var leg = FakeCallWalk.MemberLeg(FakeDialplanParser.Parse(RecordedDialplan), queue.Members.Single().Interface);

        Assert.That(leg.Select(s => s.ToString()), Is.EqualTo(new[] { "(tenant-acme,1001,1,Dial)", "(tenant-acme,1001,2,VoiceMail)", "(tenant-acme,1001,3,Hangup)" }));
        Assert.That(leg.Any(s => FakeCallWalk.Answering.Contains(s.Application)), Is.True);
    }

    [Test]
    public void A_member_leg_follows_gotos_and_a_device_member_runs_no_dialplan()
    {
        var plan = FakeDialplanParser.Parse("[a]\nexten => _10XX,1,Goto(b,s,2)\n[b]\nexten => s,1,Answer()\n same => n,Dial(PJSIP/x,,i)\n same => n,Hangup()\n");

        Assert.That(FakeCallWalk.MemberLeg(plan, "Local/1001@a/n").Select(s => s.ToString()),
            Is.EqualTo(new[] { "(a,1001,1,Goto)", "(b,s,2,Dial)", "(b,s,3,Hangup)" }));
        Assert.That(FakeCallWalk.MemberLeg(plan, "PJSIP/acme-1001"), Is.Empty);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Rendered_queue_members_only_ring_the_phone(bool voicemailOnNoAnswer)
    {
        var r = RenderedDialplan.Of(Samples.Small(), new DialplanSettings { VoicemailOnNoAnswer = voicemailOnNoAnswer });
        var plan = FakeDialplanParser.Parse(r.Extensions);
        var queues = FakeQueuesParser.Parse(r.Queues);

        var legs = queues.Values.SelectMany(q => q.Members).Select(m => FakeCallWalk.MemberLeg(plan, m.Interface)).ToList();

        Assert.That(legs, Has.Count.EqualTo(2));
        foreach (var leg in legs)
        {
            Assert.That(leg.Select(s => s.Application), Is.EqualTo(new[] { "Dial", "Hangup" }), string.Join(" ", leg));
            Assert.That(FakeCallWalk.DialOptions(leg[0]), Does.Contain('i'), "a forward the phone asks for is ignored");
        }
        Assert.That(queues.Values.SelectMany(q => q.Members).Select(m => m.Interface), Has.All.EndsWith("/n"));
    }

    [Test]
    public async Task Queue_reload_installs_the_queues_file_as_it_is_then()
    {
        var dir = Directory.CreateTempSubdirectory("fake-queues-").FullName;
        try
        {
            await using var ast = await FakeAsterisk.StartAsync(dir);
            await using var client = new AmiClient(ast.ClientOptions());
            await client.ConnectAsync();
            Assert.That(ast.Queues, Is.Empty);

            await File.WriteAllTextAsync(ast.QueuesPath, RecordedQueues);
            Assert.That(ast.Queues, Is.Empty, "nothing changes before a reload");
            await client.QueueReloadAsync();

            Assert.That(ast.Queues.Keys.Single(), Is.EqualTo("acme-support"));
            Assert.That(ast.QueueReloads, Is.EqualTo(1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
