using System.Text;
using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public sealed class ConfigSectionsTests
{
    private static List<(string Name, int StartLine, int Lines, string Text)> Split(string text, int readSize = int.MaxValue)
    {
        var found = new List<(string, int, int, string)>();
        ConfigSections.Read(new TrickleStream(Encoding.UTF8.GetBytes(text), readSize),
            (in ConfigSection s, ReadOnlySpan<byte> bytes) => found.Add((s.Name, s.StartLine, s.LineCount, Encoding.UTF8.GetString(bytes))));
        return found;
    }

    /// <summary>The same split, line by line on text: what <see cref="ConfigSections"/> must agree with.</summary>
    private static List<(string Name, int StartLine, int Lines, string Text)> Reference(string text)
    {
        var found = new List<(string, int, int, string)>();
        var lines = text.Split('\n').ToList();
        if (text.EndsWith('\n')) lines.RemoveAt(lines.Count - 1);
        var name = "";
        var start = 1;
        var current = new StringBuilder();
        var count = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimEnd('\r');
            var close = trimmed.IndexOf(']');
            if (trimmed.Length >= 2 && trimmed[0] == '[' && close > 1 && i > 0)
            {
                found.Add((name, start, count, current.ToString()));
                current.Clear();
                count = 0;
                start = i + 1;
            }
            if (trimmed.Length >= 2 && trimmed[0] == '[' && close > 1) name = trimmed[1..close];
            current.Append(line);
            if (i < lines.Count - 1 || text.EndsWith('\n')) current.Append('\n');
            count++;
        }
        if (current.Length > 0) found.Add((name, start, count, current.ToString()));
        return found;
    }

    [Test]
    public void A_file_is_split_at_its_headers_with_the_preamble_first()
    {
        var sections = Split("; header\n\n[a]\nexten => 1,1,Hangup()\n[b](template)\nexten => 2,1,Hangup()\n same => n,Hangup()\n");
        Assert.That(sections, Is.EqualTo(new[]
        {
            ("", 1, 2, "; header\n\n"),
            ("a", 3, 2, "[a]\nexten => 1,1,Hangup()\n"),
            ("b", 5, 3, "[b](template)\nexten => 2,1,Hangup()\n same => n,Hangup()\n"),
        }));
    }

    [Test]
    public void A_file_that_starts_with_a_header_has_no_preamble()
    {
        Assert.That(Split("[a]\nexten => 1,1,Hangup()").Select(s => (s.Name, s.StartLine, s.Lines)), Is.EqualTo(new[] { ("a", 1, 2) }));
    }

    [Test]
    public void A_bracket_without_a_name_and_a_closing_bracket_starts_no_section()
    {
        var sections = Split("[a]\n[\n[]\n[unclosed\n [indented]\n[b]\n");
        Assert.That(sections.Select(s => (s.Name, s.StartLine, s.Lines)), Is.EqualTo(new[] { ("a", 1, 5), ("b", 6, 1) }));
    }

    [Test]
    public void An_empty_file_has_no_section()
    {
        Assert.That(Split(""), Is.Empty);
    }

    [Test]
    public void Sections_bigger_than_the_read_buffer_come_whole()
    {
        var big = "[a]\n" + string.Concat(Enumerable.Range(0, 60_000).Select(i => $"exten => +1555{i:D7},1,Hangup()\n")) + "[b]\nexten => 1,1,Hangup()\n";
        var sections = Split(big);
        Assert.That(sections.Select(s => (s.Name, s.StartLine, s.Lines)), Is.EqualTo(new[] { ("a", 1, 60_001), ("b", 60_002, 2) }));
        Assert.That(sections[0].Text.Length, Is.GreaterThan(1 << 20));
    }

    [TestCase(int.MaxValue)]
    [TestCase(4099)]
    public void Many_small_sections_across_several_buffers_come_whole_and_in_order(int readSize)
    {
        var text = string.Concat(Enumerable.Range(0, 60_000).Select(i => $"[s{i}]\nexten => {i},1,Hangup()\n same => n,Hangup()\n"));
        Assert.That(Encoding.UTF8.GetByteCount(text), Is.GreaterThan(3 << 20));
        Assert.That(Split(text, readSize), Is.EqualTo(Reference(text)));
    }

    [Test]
    public void The_same_sections_whatever_the_reads_return([Values(1, 2, 3, 7, 64)] int readSize)
    {
        var random = new Random(readSize);
        string[] pieces = ["[a]", "[b](t)", "[", "[]", "x[y]", "exten => 1,1,Hangup()", " same => n,Hangup()", "", "; [c]", "[c]\r", "exten => 2,1,Hangup()\r"];
        for (var round = 0; round < 200; round++)
        {
            var text = string.Join("\n", Enumerable.Range(0, random.Next(0, 12)).Select(_ => pieces[random.Next(pieces.Length)]));
            if (random.Next(2) == 0) text += "\n";
            Assert.That(Split(text, readSize), Is.EqualTo(Reference(text)), text);
        }
    }

    /// <summary>Hands out at most <c>readSize</c> bytes per read, so headers and line ends fall across reads.</summary>
    private sealed class TrickleStream(byte[] bytes, int readSize) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));
    }
}
