using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public class GoldenDialplanTests
{
    [Test]
    public void Extensions_file_of_the_small_snapshot_matches_the_golden_file()
    {
        var r = RenderedDialplan.Of(Samples.Small());
        Golden.AssertMatches("Dialplan/extensions_custom.conf", r.Extensions);
    }

    [Test]
    public void Queues_file_of_the_small_snapshot_matches_the_golden_file()
    {
        var r = RenderedDialplan.Of(Samples.Small());
        Golden.AssertMatches("Dialplan/queues_custom.conf", r.Queues);
    }

    [Test]
    public void Without_voicemail_and_answer_users_hang_up_after_dial_and_queues_start_at_queue()
    {
        var r = RenderedDialplan.Of(Samples.Small(), new DialplanSettings { VoicemailOnNoAnswer = false, AnswerBeforeQueue = false });
        Golden.AssertMatches("Dialplan/extensions_custom.no-voicemail.conf", r.Extensions);
    }
}
