using System.Text;
using Did.Infrastructure.Ami;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Ami;

public sealed class FakeDialplanTests
{
    // The broken file of transcripts 20 and 21.
    private const string BrokenInclude = """
        [from-trunk-external]
        exten => +15551234567,1,Goto(tenant-acme,1001,1)
        exten => +15551234567,1,Goto(tenant-acme-ivr-main,s,1)
        exten => +15557654321,1,Goto(tenant-acme-ivr-main,s,1
        exten => _+X.,1,Congestion()

        [tenant-acme
        exten => 1001,1,Dial(PJSIP/acme-1001,30)
         same => n,VoiceMail(1001@tenant-acme)
         same => n,Hangup()

        [tenant-acme-ivr-main]
        exten => s,1,Answer()
        """;

    [Test]
    public void Broken_include_installs_what_asterisk_installed()
    {
        var plan = FakeDialplanParser.Parse(BrokenInclude);
        Assert.That(plan.Contexts.Keys, Is.EqualTo(new[] { "from-trunk-external" }), "unclosed [ drops the rest");
        var rows = plan.Contexts["from-trunk-external"].Extensions
            .SelectMany(e => e.Priorities.Select(p => (e.Name, p.Priority, p.Application, p.AppData)));
        Assert.That(rows, Is.EqualTo(new[]
        {
            ("+15551234567", 1, "Goto", "tenant-acme,1001,1"),
            ("+15557654321", 1, "Goto", "tenant-acme-ivr-main,s,1"),
            ("_+X.", 1, "Congestion", ""),
        }));
    }

    [Test]
    public void Unclosed_application_paren_gives_everything_after_it()
    {
        var plan = FakeDialplanParser.Parse("[c]\nexten => 1,1,Goto(\nexten => 2,1,Set(X=(a)\n");
        Assert.That(plan.Contexts["c"].Extensions.Select(e => e.Priorities[0].AppData), Is.EqualTo(new[] { "", "X=(a" }));
    }

    [Test]
    public void Same_n_counts_up_and_comments_are_ignored()
    {
        var plan = FakeDialplanParser.Parse("; header\n[c] ; ctx\nexten => 1,1,Answer() ; hi\n same => n,Wait(1)\n same => n,Hangup\n;exten => 9,1,Hangup()\n");
        var e = plan.Contexts["c"].Extensions.Single();
        Assert.That(e.Priorities.Select(p => (p.Priority, p.Application, p.AppData)),
            Is.EqualTo(new[] { (1, "Answer", ""), (2, "Wait", "1"), (3, "Hangup", "") }));
    }

    [Test]
    public void Literals_sort_before_patterns_and_specific_patterns_first()
    {
        var plan = FakeDialplanParser.Parse("[c]\nexten => _+X.,1,A()\nexten => _+1200XXX,1,B()\nexten => t,1,C()\nexten => 1,1,D()\nexten => s,1,E()\n");
        Assert.That(plan.Contexts["c"].Extensions.Select(e => e.Name), Is.EqualTo(new[] { "1", "s", "t", "_+1200XXX", "_+X." }));
    }

    [TestCase("_+X.", "+15559999999", true)]
    [TestCase("_X.", "+15559999999", false)]
    [TestCase("_+1200XXX", "+1200123", true)]
    [TestCase("_+1200XXX", "+12001234", false)]
    [TestCase("_1[02-4]NZ", "1392", true)]
    [TestCase("_1[02-4]NZ", "1190", false)]
    [TestCase("_1!", "1", true)]
    [TestCase("1001", "1001", true)]
    [TestCase("1001", "10011", false)]
    public void Extension_matching_follows_asterisk_patterns(string extension, string number, bool matches) =>
        Assert.That(FakeExtensionPattern.Matches(extension, number), Is.EqualTo(matches));

    [Test]
    public async Task Hundred_contexts_of_a_thousand_numbers_are_listed_completely()
    {
        var dir = Directory.CreateTempSubdirectory("fake-scale-").FullName;
        try
        {
            var sb = new StringBuilder("[from-trunk-external]\n");
            for (var c = 0; c < 100; c++) sb.Append($"exten => _+1200{c:D3}XXX,1,Goto(did-1200{c:D3},${{EXTEN}},1)\n");
            for (var c = 0; c < 100; c++)
            {
                sb.Append($"\n[did-1200{c:D3}]\n");
                for (var n = 0; n < 1000; n++) sb.Append($"exten => +1200{c:D3}{n:D3},1,Goto(tenant-t{n},{1000 + n},1)\n");
            }
            File.WriteAllText(Path.Combine(dir, "extensions_custom.conf"), sb.ToString());
            await using var ast = await FakeAsterisk.StartAsync(dir);
            await using var client = new AmiClient(ast.ClientOptions());
            await client.ConnectAsync();
            Assert.That((await client.ReloadModuleAsync("pbx_config")).Success, Is.True);
            var total = 0;
            for (var c = 0; c < 100; c++)
            {
                var shown = await client.ShowDialPlanAsync($"did-1200{c:D3}");
                total += shown.Entries.Count;
                Assert.That(shown.Entries[999], Is.EqualTo(new AmiDialplanEntry($"did-1200{c:D3}", $"+1200{c:D3}999", "1", "Goto", "tenant-t999,1999,1", "pbx_config")));
            }
            Assert.That(total, Is.EqualTo(100_000));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>What the fake switch installs from tricky and golden dialplans, pinned by a golden file recorded from its
/// string-based predecessor when the span-based parser replaced it (they agreed context for context).</summary>
public sealed class FakeDialplanParserEquivalenceTests
{
    private static IEnumerable<string> Inputs()
    {
        foreach (var t in Did.Tests.Dialplan.DialplanScannerTests.Tricky) yield return t;
        yield return "[general]\nexten => 1,1,A()\n[globals]\nX=1\n[c]\n#include x\nEXTEN => 1,1,A()\nExten=>>2 , 3 (l) , B ( x ) \r\n same => n,C(y))\n same => hint,PJSIP/1\n same => n,D\nexten => 3\nexten => 4,0,E()\nexten => 4,x,E()\n[c]\nexten => 1,1,Dup()\nexten => 1,2,F(\\;x;y)\ninclude => other\n";
        foreach (var file in Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "Dialplan"), "extensions*.conf"))
            yield return File.ReadAllText(file);
    }

    private static string Describe(FakeDialplan plan) => string.Join("\n", plan.Contexts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c =>
        $"[{c.Key}] includes {string.Join(",", c.Value.Includes)}: " + string.Join(" ", c.Value.Extensions.Select(e =>
            e.Name + "=" + string.Join(";", e.Priorities.Select(p => $"{p.Priority}:{p.Application}({p.AppData})"))))));

    [Test]
    public void Installs_what_the_golden_file_recorded()
    {
        var text = string.Join("\n", Inputs().Select((input, i) => $"## input {i}\n" + Describe(FakeDialplanParser.Parse(input)))) + "\n";
        Did.Tests.Dialplan.Golden.AssertMatches("Fakes/fake-installs.txt", text.Replace("\r", "\\r"));
    }
}
