using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public class ContextDigestTests
{
    private static ContextDigest Digest(string name, IEnumerable<(string Ext, int Prio, string App, string Data)> entries)
    {
        var b = new ContextDigestBuilder();
        foreach (var (ext, prio, app, data) in entries) b.Add(ext, prio, app, data);
        return b.ToDigest(name, 0);
    }

    [Test]
    public void Lint_digests_every_context_of_the_file_in_order_and_match_the_parsed_entries_in_any_order()
    {
        var text = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "Dialplan", "extensions_custom.conf"));
        var digests = new List<ContextDigest>();
        Assert.That(DialplanLinter.Lint(new StringReader(text), null, digests), Is.Empty);

        var contexts = DialplanParser.Parse(text).Contexts;
        Assert.That(digests.Select(d => (d.Name, d.LineNumber, d.Entries)), Is.EqualTo(contexts.Select(c => (c.Name, c.LineNumber, c.Entries.Count))));
        foreach (var (digest, context) in digests.Zip(contexts))
        {
            // AMI lists priorities in its own order and may spell the application in another case.
            var reordered = context.Entries.Reverse().Select(e => (e.Extension, e.Priority, e.Application.ToLowerInvariant(), e.AppData));
            Assert.That(Digest(digest.Name, reordered).Sum, Is.EqualTo(digest.Sum), context.Name);
        }
    }

    [Test]
    public void Reading_a_file_for_its_digests_gives_what_lint_hands_out()
    {
        var text = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "Dialplan", "extensions_custom.conf"))
                   + "[tenant-acme]\nexten => 4242,1,Hangup()\n"; // a context written twice gets a digest per header
        var linted = new List<ContextDigest>();
        DialplanLinter.Lint(new StringReader(text), null, linted);

        var read = ContextDigests.Read(new StringReader(text));
        Assert.That(read, Is.EqualTo(linted));
        Assert.That(read.Count(d => d.Name == "tenant-acme"), Is.EqualTo(2));
    }

    [TestCase("1001", 2, "Dial", "PJSIP/acme-1001,30")]
    [TestCase("1001", 1, "Dial", "PJSIP/acme-1001,31")]
    [TestCase("1001", 1, "Dail", "PJSIP/acme-1001,30")]
    [TestCase("1002", 1, "Dial", "PJSIP/acme-1001,30")]
    [TestCase("100", 1, "1Dial", "PJSIP/acme-1001,30")]
    [TestCase("1001", 1, "Dial", "PJSIP/acme-1001,30 ")]
    public void Any_difference_in_a_field_changes_the_digest(string ext, int prio, string app, string data)
    {
        var expected = Digest("c", [("1001", 1, "Dial", "PJSIP/acme-1001,30"), ("1001", 2, "Hangup", "")]);
        var actual = Digest("c", [(ext, prio, app, data), ("1001", 2, "Hangup", "")]);
        Assert.That(actual.Sum, Is.Not.EqualTo(expected.Sum));
    }

    [Test]
    public void A_missing_or_extra_priority_changes_count_and_sum()
    {
        var two = Digest("c", [("1", 1, "Answer", ""), ("1", 2, "Hangup", "")]);
        var one = Digest("c", [("1", 1, "Answer", "")]);
        var three = Digest("c", [("1", 1, "Answer", ""), ("1", 2, "Hangup", ""), ("1", 3, "Hangup", "")]);
        Assert.That((one.Entries, three.Entries), Is.EqualTo((1, 3)));
        Assert.That(new[] { one.Sum, three.Sum }, Has.None.EqualTo(two.Sum));
    }
}
