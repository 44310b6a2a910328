using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>What a route with rules, a failover or a ring time renders to, byte for byte: every condition (caller prefix,
/// withheld, OPEN, CLOSED, HOLIDAY, a caller and a schedule condition in one rule), the failover of a USER and of a QUEUE,
/// a ring time without failover, an EXTERNAL failover, and schedules with and without closed dates.</summary>
public class RouteGoldenTests
{
    [Test]
    public void Extensions_file_of_the_routed_snapshot_matches_the_golden_file()
    {
        var r = RenderedDialplan.Of(RouteSamples.Routed());
        Golden.AssertMatches("Dialplan/extensions_custom.routes.conf", r.Extensions);
    }

    [Test]
    public void Queues_file_of_the_routed_snapshot_matches_the_golden_file()
    {
        var r = RenderedDialplan.Of(RouteSamples.Routed());
        Golden.AssertMatches("Dialplan/queues_custom.routes.conf", r.Queues);
    }

    [Test]
    public void Without_voicemail_and_answer_a_ring_time_hangs_up_and_a_failover_queue_starts_at_queue()
    {
        var r = RenderedDialplan.Of(RouteSamples.Routed(), new DialplanSettings { VoicemailOnNoAnswer = false, AnswerBeforeQueue = false });
        Golden.AssertMatches("Dialplan/extensions_custom.routes.no-voicemail.conf", r.Extensions);
    }
}
