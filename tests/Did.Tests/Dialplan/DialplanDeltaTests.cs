using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public sealed class DialplanDeltaTests
{
    private static IReadOnlyList<DialplanContext> Parse(string text) => DialplanParser.Parse(text).Contexts;

    private static string[] Describe(DialplanDelta delta) =>
        [.. delta.Changes.Select(c => $"{c.Kind} {c.Context} {c.Extension},{c.Priority}{(c.Kind == DialplanChangeKind.Add ? $" {c.Application}({c.AppData}){(c.Replace ? " replace" : "")}" : "")}")];

    [Test]
    public void A_rerouted_number_is_one_replace_and_touches_its_context_only()
    {
        var delta = DialplanDelta.Between(
            Parse("[did-1]\nexten => +1200,1,Goto(t,1000,1)\nexten => +1201,1,Goto(t,1000,1)\n[t]\nexten => 1000,1,Hangup()\n"),
            Parse("[did-1]\nexten => +1200,1,Goto(t,1001,1)\nexten => +1201,1,Goto(t,1000,1)\n[t]\nexten => 1000,1,Hangup()\n"), 100);
        Assert.That(delta.Unsafe, Is.Null);
        Assert.That(Describe(delta), Is.EqualTo(new[] { "Add did-1 +1200,1 Goto(t,1001,1) replace" }));
        Assert.That(delta.Touched, Is.EqualTo(new[] { "did-1" }));
    }

    [Test]
    public void Variants_are_removed_before_plain_extensions_and_added_after_them()
    {
        var delta = DialplanDelta.Between(
            Parse("[d]\nexten => +1999,1,Goto(a,1,1)\nexten => +1999/_+44.,1,Goto(b,1,1)\nexten => +1999/+4420,1,Goto(c,1,1)\n"),
            Parse("[d]\nexten => +1888,1,Goto(a,1,1)\n same => n,Hangup()\nexten => +1888/_+33.,1,Goto(b,1,1)\n"), 100);
        Assert.That(delta.Unsafe, Is.Null);
        Assert.That(Describe(delta), Is.EqualTo(new[]
        {
            "Remove d +1999/+4420,1", "Remove d +1999/_+44.,1", "Remove d +1999,1",
            "Add d +1888,1 Goto(a,1,1)", "Add d +1888,2 Hangup()", "Add d +1888/_+33.,1 Goto(b,1,1)",
        }));
    }

    [Test]
    public void A_plain_extension_losing_a_priority_while_a_variant_stays_needs_a_reload()
    {
        var delta = DialplanDelta.Between(
            Parse("[d]\nexten => +1999,1,Goto(a,1,1)\nexten => +1999/_+44.,1,Goto(b,1,1)\n"),
            Parse("[d]\nexten => +1999/_+44.,1,Goto(b,1,1)\n"), 100);
        Assert.That(delta.Unsafe, Does.Contain("while a caller-ID variant of it exists"));
        Assert.That(delta.Changes, Is.Empty);
    }

    [Test]
    public void Fewer_priorities_remove_the_ones_that_are_gone()
    {
        var delta = DialplanDelta.Between(
            Parse("[t]\nexten => 1000,1,Dial(PJSIP/a,30)\n same => n,VoiceMail(1000@t)\n same => n,Hangup()\n"),
            Parse("[t]\nexten => 1000,1,Dial(PJSIP/a,30)\n same => n,Hangup()\n"), 100);
        Assert.That(Describe(delta), Is.EqualTo(new[] { "Remove t 1000,3", "Add t 1000,2 Hangup() replace" }));
    }

    [TestCase("[d]\nexten => +1,1(start),Goto(a,1,1)\n", "label")]
    [TestCase("[d]\nexten => +1,hint,PJSIP/a\n", "hint")]
    [TestCase("[d]\nexten => +1,1,Goto(a,1,1)\n[e]\nexten => +2,1,Hangup()\n", "contexts were added or removed")]
    [TestCase("[d]\ninclude => e\nexten => +1,1,Goto(a,1,1)\n", "includes")]
    public void What_AMI_cannot_make_exactly_needs_a_reload(string after, string why)
    {
        var delta = DialplanDelta.Between(Parse("[d]\nexten => +1,1,Goto(b,1,1)\n"), Parse(after), 100);
        Assert.That(delta.Unsafe, Does.Contain(why));
    }

    [Test]
    public void More_changes_than_the_threshold_need_a_reload()
    {
        var before = string.Concat(Enumerable.Range(0, 5).Select(i => $"exten => +1{i},1,Goto(a,1,1)\n"));
        var after = string.Concat(Enumerable.Range(0, 5).Select(i => $"exten => +1{i},1,Goto(b,1,1)\n"));
        Assert.That(DialplanDelta.Between(Parse("[d]\n" + before), Parse("[d]\n" + after), 5).Unsafe, Is.Null);
        Assert.That(DialplanDelta.Between(Parse("[d]\n" + before), Parse("[d]\n" + after), 4).Unsafe, Does.Contain("more than 4 changes"));
    }

    [Test]
    public void Sections_are_read_by_name_with_the_files_line_numbers()
    {
        var text = "; header\n[a]\nexten => 1,1,Hangup()\n\n[b]\nexten => 2,1,Hangup()\n same => n,Hangup()\n[c]\nexten => 3,1,Hangup()\n";
        var read = ContextSections.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), new HashSet<string> { "b" });
        Assert.That(read.Select(c => c.Name), Is.EqualTo(new[] { "b" }));
        Assert.That(read[0].LineNumber, Is.EqualTo(5));
        Assert.That(read[0].Entries.Select(e => (e.Priority, e.LineNumber)), Is.EqualTo(new[] { (1, 6), (2, 7) }));
    }
}
