using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public class DialplanParserTests
{
    private static List<(string Ext, int Prio, string App, string Data)> Entries(string text, string context) =>
        DialplanParser.Parse(text).Contexts.Single(c => c.Name == context).Entries.Select(e => (e.Extension, e.Priority, e.Application, e.AppData)).ToList();

    [Test]
    public void Same_and_n_lines_are_numbered_1_2_3_like_asterisk()
    {
        const string text = "[tenant-acme]\nexten => 1001,1,Dial(PJSIP/acme-1001,30)\n same => n,VoiceMail(1001@tenant-acme)\n same => n,Hangup()\n";

        Assert.That(Entries(text, "tenant-acme"), Is.EqualTo(new[]
        {
            ("1001", 1, "Dial", "PJSIP/acme-1001,30"),
            ("1001", 2, "VoiceMail", "1001@tenant-acme"),
            ("1001", 3, "Hangup", ""),
        }));
    }

    [Test]
    public void N_continues_from_the_previous_line_even_for_a_new_extension()
    {
        // pbx_config keeps one "last priority" per context, not per extension.
        const string text = "[c]\nexten => 1,1,Answer()\nexten => 1,n,Hangup()\nexten => 2,n,Hangup()\n";

        Assert.That(Entries(text, "c").Select(e => (e.Ext, e.Prio)), Is.EqualTo(new[] { ("1", 1), ("1", 2), ("2", 3) }));
    }

    [Test]
    public void N_restarts_in_each_context_and_first_n_is_reported()
    {
        var (contexts, errors) = DialplanParser.Parse("[a]\nexten => 1,1,Answer()\n[b]\nexten => 1,n,Hangup()\n");

        Assert.That(contexts.Single(c => c.Name == "b").Entries, Is.Empty);
        Assert.That(errors.Single().Rule, Is.EqualTo(LintRule.InvalidPriority));
        Assert.That(errors.Single().LineNumber, Is.EqualTo(4));
    }

    [Test]
    public void Labels_plus_offsets_and_same_priority_are_resolved()
    {
        const string text = "[c]\nexten => s,1(start),Answer()\n same => n(play),Playback(x)\nexten => s,start+5,Hangup()\n same => s,Busy()\n";
        var entries = DialplanParser.Parse(text).Contexts[0].Entries;

        Assert.That(entries.Select(e => (e.Priority, e.Label)), Is.EqualTo(new (int, string?)[] { (1, "start"), (2, "play"), (6, null), (6, null) }));
    }

    [Test]
    public void Appdata_is_between_the_first_open_and_the_last_close_parenthesis()
    {
        var e = Entries("[c]\nexten => _+1555XXX,1,Goto(did-1555,+${FILTER(0-9,${EXTEN})},1)\nexten => 2,1,Hangup\n", "c");

        Assert.That(e[0], Is.EqualTo(("_+1555XXX", 1, "Goto", "did-1555,+${FILTER(0-9,${EXTEN})},1")));
        Assert.That(e[1], Is.EqualTo(("2", 1, "Hangup", "")));
    }

    [Test]
    public void Missing_close_parenthesis_gives_the_rest_as_data_and_an_error()
    {
        var (contexts, errors) = DialplanParser.Parse("[c]\nexten => 1,1,Goto(tenant-acme-ivr-main,s,1\nexten => 2,1,Goto(\n");

        Assert.That(contexts[0].Entries.Select(x => x.AppData), Is.EqualTo(new[] { "tenant-acme-ivr-main,s,1", "" }));
        Assert.That(errors.Select(x => x.Rule), Is.All.EqualTo(LintRule.UnbalancedParentheses));
    }

    [Test]
    public void Comments_blank_lines_and_spacing_variants_are_understood()
    {
        const string text = "; header\n\n[c] ; trailing\nexten=>1,1,Playback(a\\;b) ; comment\nexten = 2 ,1,Hangup()\n;-- block\n[gone]\n--;\n  same  =>  n , Busy()\n";
        var (contexts, errors) = DialplanParser.Parse(text);

        Assert.That(errors, Is.Empty);
        Assert.That(contexts.Select(c => c.Name), Is.EqualTo(new[] { "c" }));
        Assert.That(contexts[0].Entries.Select(x => (x.Extension, x.Priority, x.Application, x.AppData)),
            Is.EqualTo(new[] { ("1", 1, "Playback", "a;b"), ("2 ", 1, "Hangup", ""), ("2 ", 2, "Busy", "") }));
    }

    [Test]
    public void Unclosed_context_header_stops_reading_like_asterisk()
    {
        var (contexts, errors) = DialplanParser.Parse("[a]\nexten => 1,1,Hangup()\n[b\nexten => 1,1,Hangup()\n[c]\nexten => 1,1,Hangup()\n");

        Assert.That(contexts.Select(c => c.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(errors.Single().Rule, Is.EqualTo(LintRule.UnclosedContextHeader));
    }

    [Test]
    public void Entries_carry_their_line_number_and_text()
    {
        var e = DialplanParser.Parse("\n[c]\n\nexten => 1,1,Hangup()\n").Contexts[0].Entries.Single();

        Assert.That((e.LineNumber, e.LineText), Is.EqualTo((4, "exten => 1,1,Hangup()")));
    }

    [Test]
    public void Parsing_the_golden_file_gives_every_rendered_context()
    {
        var r = RenderedDialplan.Of(Samples.Small());
        var (contexts, errors) = DialplanParser.Parse(r.Extensions);

        Assert.That(errors, Is.Empty);
        Assert.That(contexts.Select(c => c.Name), Is.EqualTo(r.Result.ContextNames));
        Assert.That(contexts.Single(c => c.Name == "acme_ivr_main").Entries.Select(e => (e.Extension, e.Priority, e.Application, e.AppData)).Take(3),
            Is.EqualTo(new[] { ("s", 1, "Answer", ""), ("s", 2, "Background", "custom/acme-welcome"), ("s", 3, "WaitExten", "5") }));
    }
}
