using System.Text;
using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public sealed class ConfigDiffTests
{
    private static Func<Stream> Text(string s) => () => new MemoryStream(Encoding.UTF8.GetBytes(s));

    private const string Before = """
        ; sha256 of body: aaaa
        [from-trunk-external]
        exten => _+1555XXX,1,Goto(did-1555,+${FILTER(0-9,${EXTEN})},1)
        [did-1555]
        exten => +1555001,1,Goto(tenant-acme,1001,1)
        exten => +1555002,1,Goto(tenant-beta,2001,1)
        [tenant-acme]
        exten => 1001,1,Dial(PJSIP/acme-1001,30)
        """;

    [Test]
    public void Identical_files_have_no_diff()
    {
        var r = ConfigDiff.Compare(Text(Before), Text(Before), "x.conf");
        Assert.That(r.Stats.IsEmpty, Is.True);
        Assert.That(r.UnifiedDiff, Is.Empty);
    }

    [Test]
    public void A_changed_header_comment_alone_is_not_a_change()
    {
        var r = ConfigDiff.Compare(Text(Before), Text(Before.Replace("aaaa", "bbbb")), "x.conf");
        Assert.That(r.Stats.IsEmpty, Is.True);
    }

    [Test]
    public void A_changed_line_is_one_removal_and_one_addition_in_a_unified_hunk()
    {
        var after = Before.Replace("Goto(tenant-acme,1001,1)", "Goto(tenant-acme,1002,1)");
        var r = ConfigDiff.Compare(Text(Before), Text(after), "extensions_custom.conf");
        Assert.That(r.Stats, Is.EqualTo(new DiffStats(1, 1, 0, 0, 1)));
        Assert.That(r.UnifiedDiff, Does.StartWith("--- extensions_custom.conf (live)\n+++ extensions_custom.conf (rendered)\n@@ -4,"));
        Assert.That(r.UnifiedDiff, Does.Contain("[did-1555]\n"));
        Assert.That(r.UnifiedDiff, Does.Contain("-exten => +1555001,1,Goto(tenant-acme,1001,1)\n+exten => +1555001,1,Goto(tenant-acme,1002,1)\n"));
        Assert.That(r.UnifiedDiff, Does.Contain(" exten => +1555002,1,Goto(tenant-beta,2001,1)\n"), "context lines are kept");
    }

    [Test]
    public void Added_and_removed_sections_are_counted()
    {
        var after = Before.Replace("[tenant-acme]\nexten => 1001,1,Dial(PJSIP/acme-1001,30)", "[tenant-new]\nexten => 3001,1,Dial(PJSIP/new-3001,30)");
        var r = ConfigDiff.Compare(Text(Before), Text(after), "x.conf");
        Assert.That(r.Stats, Is.EqualTo(new DiffStats(2, 2, 1, 1, 0)));
    }

    [Test]
    public void A_filter_shows_only_the_lines_it_keeps()
    {
        var after = Before.Replace("1001,1)", "1009,1)").Replace("2001,1)", "2009,1)");
        var r = ConfigDiff.Compare(Text(Before), Text(after), "x.conf", (section, line) => line.Contains("acme"));
        Assert.That(r.UnifiedDiff, Does.Contain("tenant-acme,1009").And.Not.Contain("tenant-beta"));
        Assert.That(r.Stats.LinesAdded, Is.EqualTo(1));
    }

    /// <summary>A shared section's line numbers and spans would count another tenant's lines.</summary>
    [Test]
    public void A_filtered_hunk_counts_only_the_lines_it_shows_and_names_no_position()
    {
        var after = Before.Replace("1001,1)", "1009,1)").Replace("2001,1)", "2009,1)");
        var r = ConfigDiff.Compare(Text(Before), Text(after), "x.conf", (section, line) => line.Contains("acme"));
        Assert.That(r.UnifiedDiff.Split('\n').Where(l => l.StartsWith("@@")), Is.EqualTo(new[] { "@@ -0,1 +0,1 @@ [did-1555]" }));
    }

    [Test]
    public void A_missing_live_file_shows_everything_as_added()
    {
        var r = ConfigDiff.Compare(() => Stream.Null, Text(Before), "x.conf");
        Assert.That(r.Stats.SectionsAdded, Is.EqualTo(3));
        Assert.That(r.Stats.LinesAdded, Is.EqualTo(7));
    }

    [Test]
    public void Crlf_line_endings_compare_equal_to_lf()
    {
        var r = ConfigDiff.Compare(Text(Before), Text(Before.Replace("\n", "\r\n")), "x.conf");
        Assert.That(r.Stats.IsEmpty, Is.True);
    }

    [Test]
    public void Lines_longer_than_the_read_buffer_are_handled()
    {
        var longLine = "exten => 1,1,Playback(" + new string('a', 3 << 20) + ")";
        var r = ConfigDiff.Compare(Text("[a]\n" + longLine + "\n"), Text("[a]\n" + longLine + "x\n"), "x.conf");
        Assert.That(r.Stats, Is.EqualTo(new DiffStats(1, 1, 0, 0, 1)));
    }

    [Test]
    public void The_diff_is_cut_at_the_line_limit_and_says_so()
    {
        var many = "[a]\n" + string.Join("\n", Enumerable.Range(0, 100).Select(i => $"exten => {i},1,Hangup()"));
        var r = ConfigDiff.Compare(() => Stream.Null, Text(many), "x.conf", maxDiffLines: 10);
        Assert.That(r.Truncated, Is.True);
        Assert.That(r.UnifiedDiff.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(10));
    }

    [Test]
    public void Counting_gives_the_stats_of_the_whole_diff_for_any_edit()
    {
        // Sections added, removed and changed, a file against nothing and nothing against a file, line ends in \r\n, a last
        // line without '\n', and random edits of many sections: the count without the diff text must always agree.
        var sections = Enumerable.Range(0, 40).Select(i =>
            $"[ctx-{i}]\n" + string.Join("", Enumerable.Range(0, i % 7 + 1).Select(j => $"exten => {i}{j},1,Goto(t-{j},1001,1)\n"))).ToList();
        var file = "; header\n" + string.Concat(sections);
        var cases = new List<(string Old, string New)>
        {
            ("", file), (file, ""), (file, file), (Before, Before.Replace("\n", "\r\n")), (Before, Before.TrimEnd('\n') + "\nexten => x,1,Hangup()"),
        };
        var random = new Random(20261207);
        for (var seed = 0; seed < 60; seed++)
        {
            var edited = sections.ToList();
            for (var edit = 0; edit < random.Next(1, 6); edit++)
            {
                var at = random.Next(edited.Count);
                switch (random.Next(4))
                {
                    case 0: edited.RemoveAt(at); break;
                    case 1: edited.Insert(at, $"[new-{seed}-{edit}]\nexten => 1,1,Hangup()\n"); break;
                    case 2: edited[at] = edited[at].Replace(",1001,", $",{random.Next(1000, 1100)},"); break;
                    default: edited[at] += $"exten => extra{edit},1,Hangup()\n"; break;
                }
            }
            cases.Add((file, "; header\n" + string.Concat(edited)));
        }
        foreach (var (old, @new) in cases)
        {
            Func<Stream> Open(string s) => s.Length == 0 ? () => Stream.Null : Text(s);
            Assert.That(ConfigDiff.Count(Open(old), Open(@new)), Is.EqualTo(ConfigDiff.Compare(Open(old), Open(@new), "x.conf").Stats),
                $"{old.Length} -> {@new.Length} bytes");
        }
    }
}
