using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>What the dialplan reader reads (through <see cref="DialplanParser"/>, built on the scanner) and what the
/// linter built on it reports are pinned by golden files recorded from the earlier, independent implementations.</summary>
public class DialplanScannerTests
{
    /// <summary>Inputs that exercise every rule of the parser: comments, block comments, escaped ';', labels, offsets,
    /// 'same', 'n' across extensions, hints, unbalanced parentheses, bad priorities, unknown directives, CR/CRLF line
    /// breaks, duplicates, an unclosed header, Goto forms, '$' and includes.</summary>
    public static readonly string[] Tricky =
    [
        "",
        "\n\n",
        "exten => 1,1,Answer()\n[a]\nexten => 1,1,Answer()",
        "[a]\r\nexten => 1,1,Answer() ; comment\r\n same => n,Hangup()\r\n",
        "[a]\rexten => 1,1,Answer()\r same => n,Hangup()\r\r\n",
        "[a] ; header\n;-- block\nexten => 2,1,Hangup() --; exten => 3,1,Answer()\n;--\n--; exten => 4,1,Playback(x\\;y)\n",
        "[c]\nexten => s,1(start),Answer()\n same => n(play),Playback(x)\nexten => s,start+5,Hangup()\n same => s,Busy()\n same => play,Hangup()\n same => nope,Hangup()\n",
        "[c]\nexten => 1,1,Answer()\nexten => 1,n,Hangup()\nexten => 2,n,Hangup()\nexten => 2,hint,PJSIP/x\nexten => 3,hint,PJSIP/y\n",
        "[b]\nexten => 1,n,Hangup()\nexten => 1,0,Hangup()\nexten => 1,-3,Hangup()\nexten => 1,1(lbl,Hangup()\nexten => 1,+2,Hangup()\n",
        "[c]\nexten => _+1555XXX,1,Goto(did-1555,+${FILTER(0-9,${EXTEN})},1)\nexten => 2,1,Hangup\nexten => 3,1,Set(x=${y}(z))\nexten => 4,1,${APP}(x)\n",
        "[c]\nexten => 1,1,Goto(tenant-acme,\n1001,1)\nexten => 2,1,Dial(a(b)\nexten => 3,1,Dial(a)b)\nexten => 4,1,Dial(x\n",
        "[c]\nexten => _[1-3,5]XX,1,Answer()\nexten => 1/100,1,Answer()\nexten => 1 ,1,Answer()\nexten =>,1,Answer()\nexten\nfoo => bar\nignorepat => 9\nswitch => x\nlswitch => y\n",
        "[a](template)\nexten => 1,1,Answer()\n[b] junk\nsame => n,Hangup()\n[c]\n same => 1,Hangup()\ninclude => a\ninclude => nowhere\n",
        "[a]\nexten => 1,1,Answer()\nexten => 1,1,Hangup()\n[a]\nexten => 2,2,Hangup()\nexten => 1,1,System(rm)\n",
        "[a]\nexten => 1,1,Goto(2,1)\nexten => 2,1,Goto(9)\nexten => 3,1,Goto(a,1,1,1)\nexten => 4,1,Goto(b,5,1)\nexten => 5,1,Goto(a,_X,lbl)\nexten => _X,1(lbl),Answer()\nexten => 6,1,Goto(a,7,x)\n",
        "[a]\nexten => 1,1,goto(a,1,1)\nexten => 2,1,GOTO(1)\nexten => 3,1,Dial(${x})\nexten => abc,1,Answer()\nexten => _,1,Answer()\nexten => _X.X,1,Answer()\nexten => _[],1,Answer()\n",
        "[a]\nexten => 1,1,Answer()\n[unclosed\nexten => 2,1,Answer()\n[b]\n",
        "  [spaced]  \n\t exten  =>  7 , 1 , Dial ( x ) \n same=>n,Hangup( )\n",
    ];

    /// <summary>Contexts, entries, includes and errors the parser reads from the tricky inputs. The golden file was
    /// recorded from the string-based parser, before it became a reader over <see cref="DialplanScanner"/>, when the
    /// two agreed field for field; a change in it is a change in what is read.</summary>
    [Test]
    public void Parser_output_on_tricky_inputs_matches_the_golden_file()
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < Tricky.Length; i++)
        {
            var errors = new List<DialplanSyntaxError>();
            text.Append("## input ").Append(i).Append('\n');
            foreach (var c in DialplanParser.ReadContexts(new StringReader(Tricky[i]), errors))
            {
                text.Append('[').Append(c.Name).Append("]@").Append(c.LineNumber).Append(':').Append(c.LineText).Append('\n');
                foreach (var e in c.Entries) text.Append("  ").Append(Shown(e)).Append('\n');
                foreach (var inc in c.Includes) text.Append("  ").Append(inc).Append('\n');
            }
            foreach (var e in errors) text.Append(e).Append('\n');
        }
        Golden.AssertMatches("Dialplan/parser-tricky.txt", text.ToString().Replace("\r", "\\r"));
    }

    // An entry without a caller-ID match prints as it did before the parser kept that match.
    private static string Shown(DialplanEntry e)
    {
        var shown = (e with { Label = e.Label is null ? "(none)" : $"'{e.Label}'" }).ToString();
        return e.CallerId is null ? shown.Replace(", CallerId =  }", " }", StringComparison.Ordinal) : shown;
    }

    /// <summary>Every finding the linter reports on the tricky inputs, with and without extra options. The golden file was
    /// recorded when the span-based linter replaced the parser-based one, from the old linter's output (they agreed
    /// finding for finding); a change in it is a change in what the linter reports.</summary>
    [Test]
    public void Linter_findings_on_tricky_inputs_match_the_golden_file()
    {
        var external = new DialplanLintOptions { ExternalContexts = ["b"], AllowedApplications = [.. DialplanLintOptions.DefaultApplications, "Set"] };
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < Tricky.Length; i++)
            foreach (var (name, options) in new[] { ("default options", (DialplanLintOptions?)null), ("context b external, Set allowed", external) })
            {
                text.Append("## input ").Append(i).Append(", ").Append(name).Append('\n');
                foreach (var f in DialplanLinter.Lint(Tricky[i], options))
                    text.Append(f.Rule).Append(" @").Append(f.LineNumber).Append(" <").Append(f.LineText).Append("> ").Append(f.Message).Append('\n');
            }
        Golden.AssertMatches("Dialplan/lint-findings-tricky.txt", text.ToString().Replace("\r", "\\r"));
    }

    [Test]
    public void Line_reader_breaks_lines_like_ReadLine_across_buffer_ends()
    {
        var random = new Random(7);
        var alphabet = new[] { 'a', 'b', ' ', '\r', '\n', ';' };
        for (var round = 0; round < 300; round++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 80)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var expected = new List<string>();
            var reference = new StringReader(text);
            while (reference.ReadLine() is { } l) expected.Add(l);
            foreach (var size in new[] { 16, 17, 19, 64 })
            {
                var lines = new SpanLineReader(new StringReader(text), size);
                var actual = new List<string>();
                while (lines.TryReadLine(out var line)) actual.Add(line.ToString());
                Assert.That(actual, Is.EqualTo(expected), $"buffer {size}: {text.Replace("\r", "\\r").Replace("\n", "\\n")}");
            }
        }
    }

    [Test]
    public void Line_reader_grows_for_a_line_longer_than_its_buffer()
    {
        var longLine = new string('x', 1000);
        var lines = new SpanLineReader(new StringReader("a\r\n" + longLine + "\r\nb"), 16);
        var actual = new List<string>();
        while (lines.TryReadLine(out var line)) actual.Add(line.ToString());
        Assert.That(actual, Is.EqualTo(new[] { "a", longLine, "b" }));
    }
}
