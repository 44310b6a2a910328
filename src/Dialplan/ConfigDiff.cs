using System.Text;
using DiffPlex;
using DiffPlex.Chunkers;

namespace Did.Dialplan;

/// <summary>Lines added and removed between the live and the rendered file, and how many sections changed.</summary>
public sealed record DiffStats(int LinesAdded, int LinesRemoved, int SectionsAdded, int SectionsRemoved, int SectionsChanged)
{
    public static readonly DiffStats None = new(0, 0, 0, 0, 0);
    [System.Text.Json.Serialization.JsonIgnore] public bool IsEmpty => LinesAdded == 0 && LinesRemoved == 0;
    public DiffStats Add(DiffStats o) => new(LinesAdded + o.LinesAdded, LinesRemoved + o.LinesRemoved,
        SectionsAdded + o.SectionsAdded, SectionsRemoved + o.SectionsRemoved, SectionsChanged + o.SectionsChanged);
}

/// <summary>Keeps a changed line in a filtered diff: (section, line) -> shown or not. Used to show a tenant admin only
/// its own lines. A filtered diff's hunks carry no context and no line numbers (<c>@@ -0,removed +0,added @@</c>): the
/// positions and spans of a shared section would count the lines of every other tenant in it.</summary>
public delegate bool DiffLineFilter(string section, string line);

/// <summary>Diffs two config files section by section ([name] blocks, <see cref="ConfigSections"/>). Each file is read as a
/// stream twice: once to fingerprint every section (this only decides what to show, deployment compares the bytes), once
/// to decode only the sections whose fingerprint differs, which are then diffed line by line. A 35 MB file with one
/// changed tenant costs two sequential reads and a diff of one small section.</summary>
public static class ConfigDiff
{
    private const string Preamble = "";
    private const int Context = 3;

    private sealed record Section(string Name, int StartLine, int LineCount, UInt128 Hash);

    public sealed record Result(DiffStats Stats, string UnifiedDiff, bool Truncated);

    public static Result Compare(Func<Stream> live, Func<Stream> rendered, string fileName,
        DiffLineFilter? filter = null, int maxDiffLines = 20_000)
    {
        var (before, after, changed) = Changed(live, rendered);
        if (changed.Count == 0) return new Result(DiffStats.None, "", false);

        var oldLines = Collect(live(), changed);
        var newLines = Collect(rendered(), changed);
        var diff = new DiffWriter(fileName, maxDiffLines);
        var stats = DiffStats.None;
        foreach (var name in changed.OrderBy(n => after.TryGetValue(n, out var s) ? s.StartLine : int.MaxValue).ThenBy(n => n, StringComparer.Ordinal))
        {
            var a = oldLines.GetValueOrDefault(name) ?? [];
            var b = newLines.GetValueOrDefault(name) ?? [];
            var aStart = before.TryGetValue(name, out var bs) ? bs.StartLine : 0;
            var bStart = after.TryGetValue(name, out var asec) ? asec.StartLine : 0;
            var lines = diff.Section(name, a, aStart, b, bStart, filter);
            // A filtered diff counts only the sections it shows a line of: the others are not the viewer's to count.
            if (filter is not null && lines.IsEmpty) continue;
            stats = stats.Add(lines).Add(new DiffStats(0, 0, before.ContainsKey(name) ? 0 : 1, after.ContainsKey(name) ? 0 : 1,
                before.ContainsKey(name) && after.ContainsKey(name) ? 1 : 0));
        }
        return new Result(stats, diff.ToString(), diff.Truncated);
    }

    /// <summary>The <see cref="Result.Stats"/> of <see cref="Compare"/> without a filter, without writing the diff: a
    /// section on one side only counts its lines undecoded (every section, on a first apply), and only sections on both
    /// sides whose fingerprints differ are decoded and diffed line by line.</summary>
    public static DiffStats Count(Func<Stream> live, Func<Stream> rendered)
    {
        var (before, after, changed) = Changed(live, rendered);
        var onBothSides = changed.Where(n => before.ContainsKey(n) && after.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
        var oldLines = onBothSides.Count == 0 ? [] : Collect(live(), onBothSides);
        var newLines = onBothSides.Count == 0 ? [] : Collect(rendered(), onBothSides);
        var stats = DiffStats.None;
        foreach (var name in changed)
        {
            if (!before.TryGetValue(name, out var old)) stats = stats.Add(new DiffStats(after[name].LineCount, 0, 1, 0, 0));
            else if (!after.ContainsKey(name)) stats = stats.Add(new DiffStats(0, old.LineCount, 0, 1, 0));
            else
            {
                var added = 0;
                var removed = 0;
                foreach (var block in LineBlocks(oldLines[name], newLines[name]))
                {
                    added += block.InsertCountB;
                    removed += block.DeleteCountA;
                }
                stats = stats.Add(new DiffStats(added, removed, 0, 0, 1));
            }
        }
        return stats;
    }

    /// <summary>Both files' sections, and the names of those added, removed or changed (never the preamble, whose header
    /// comment changes with any change: it carries the hash).</summary>
    private static (Dictionary<string, Section> Before, Dictionary<string, Section> After, HashSet<string> Changed) Changed(
        Func<Stream> live, Func<Stream> rendered)
    {
        var before = Digest(live());
        var after = Digest(rendered());
        var changed = after.Keys.Where(k => !before.TryGetValue(k, out var b) || b.Hash != after[k].Hash)
            .Concat(before.Keys.Where(k => !after.ContainsKey(k)))
            .Where(k => k != Preamble)
            .ToHashSet(StringComparer.Ordinal);
        return (before, after, changed);
    }

    /// <summary>The blocks of lines deleted from <paramref name="a"/> and inserted from <paramref name="b"/>. A section
    /// that exists on one side only has no lines on the other: one block, without asking DiffPlex (which would see one
    /// empty line there).</summary>
    private static IList<DiffPlex.Model.DiffBlock> LineBlocks(List<string> a, List<string> b) =>
        a.Count == 0 || b.Count == 0
            ? [new DiffPlex.Model.DiffBlock(0, a.Count, 0, b.Count)]
            : Differ.Instance.CreateDiffs(string.Join('\n', a), string.Join('\n', b), false, false, LineChunker.Instance).DiffBlocks;

    /// <summary>Each section's place and fingerprint, from one read of the stream (<see cref="ConfigSections"/>). Line
    /// ends do not count: a section written with "\r\n" has the fingerprint of the same lines written with "\n".</summary>
    private static Dictionary<string, Section> Digest(Stream stream)
    {
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        ConfigSections.Read(stream, (in ConfigSection s, ReadOnlySpan<byte> bytes) =>
            sections[s.Name] = new Section(s.Name, s.StartLine, s.LineCount,
                bytes.Contains((byte)'\r') ? WithoutCr(bytes) : System.IO.Hashing.XxHash128.HashToUInt128(bytes)));
        return sections;
    }

    private static UInt128 WithoutCr(ReadOnlySpan<byte> bytes)
    {
        var hash = new System.IO.Hashing.XxHash128();
        foreach (var line in Lines(bytes))
        {
            hash.Append(line);
            hash.Append("\n"u8);
        }
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>The lines of the <paramref name="wanted"/> sections, as text; every other section is skipped undecoded.</summary>
    private static Dictionary<string, List<string>> Collect(Stream stream, IReadOnlySet<string> wanted)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        ConfigSections.Read(stream, (in ConfigSection s, ReadOnlySpan<byte> bytes) =>
        {
            if (!wanted.Contains(s.Name)) return;
            var lines = result[s.Name] = new List<string>(s.LineCount);
            foreach (var line in Lines(bytes)) lines.Add(Encoding.UTF8.GetString(line));
        });
        return result;
    }

    /// <summary>The lines of a section's bytes, without their "\n" or "\r\n".</summary>
    private static LineEnumerator Lines(ReadOnlySpan<byte> bytes) => new(bytes);

    private ref struct LineEnumerator(ReadOnlySpan<byte> rest)
    {
        private ReadOnlySpan<byte> _rest = rest;
        public ReadOnlySpan<byte> Current { get; private set; }
        public readonly LineEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty) return false;
            var nl = _rest.IndexOf((byte)'\n');
            Current = ConfigSections.TrimCr(nl < 0 ? _rest : _rest[..nl]);
            _rest = nl < 0 ? [] : _rest[(nl + 1)..];
            return true;
        }
    }

    private sealed class DiffWriter(string fileName, int maxLines)
    {
        private readonly StringBuilder _text = new();
        private int _lines;
        public bool Truncated { get; private set; }

        public DiffStats Section(string name, List<string> a, int aStart, List<string> b, int bStart, DiffLineFilter? filter)
        {
            var blocks = LineBlocks(a, b);
            var added = 0;
            var removed = 0;
            var i = 0;
            while (i < blocks.Count)
            {
                // Merge blocks whose context would overlap into one hunk.
                var j = i;
                while (j + 1 < blocks.Count && blocks[j + 1].DeleteStartA - (blocks[j].DeleteStartA + blocks[j].DeleteCountA) <= 2 * Context) j++;
                var oStart = Math.Max(0, blocks[i].DeleteStartA - Context);
                var oEnd = Math.Min(a.Count, blocks[j].DeleteStartA + blocks[j].DeleteCountA + Context);
                var nStart = Math.Max(0, blocks[i].InsertStartB - Context);
                var nEnd = Math.Min(b.Count, blocks[j].InsertStartB + blocks[j].InsertCountB + Context);
                var hunk = new List<string>();
                var o = oStart;
                for (var k = i; k <= j; k++)
                {
                    var blk = blocks[k];
                    for (; o < blk.DeleteStartA; o++) hunk.Add(" " + a[o]);
                    for (var d = 0; d < blk.DeleteCountA; d++, o++)
                        if (filter is null || filter(name, a[o])) { hunk.Add("-" + a[o]); removed++; }
                    for (var n = 0; n < blk.InsertCountB; n++)
                        if (filter is null || filter(name, b[blk.InsertStartB + n])) { hunk.Add("+" + b[blk.InsertStartB + n]); added++; }
                }
                for (; o < oEnd; o++) hunk.Add(" " + a[o]);
                if (filter is not null)
                {
                    hunk.RemoveAll(l => l[0] == ' ');
                    if (hunk.Count > 0) Write($"@@ -0,{hunk.Count(l => l[0] == '-')} +0,{hunk.Count(l => l[0] == '+')} @@ [{name}]", hunk);
                }
                else if (hunk.Count > 0)
                    Write($"@@ -{aStart + oStart},{oEnd - oStart} +{bStart + nStart},{nEnd - nStart} @@ [{name}]", hunk);
                i = j + 1;
            }
            return new DiffStats(added, removed, 0, 0, 0);
        }

        private void Write(string header, List<string> lines)
        {
            if (_text.Length == 0) { Append($"--- {fileName} (live)"); Append($"+++ {fileName} (rendered)"); }
            Append(header);
            foreach (var l in lines) Append(l);
        }

        private void Append(string line)
        {
            if (_lines >= maxLines) { Truncated = true; return; }
            _text.Append(line).Append('\n');
            _lines++;
        }

        public override string ToString() => _text.ToString();
    }
}
