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
/// its own lines.</summary>
public delegate bool DiffLineFilter(string section, string line);

/// <summary>Diffs two config files section by section ([name] blocks). Each file is read as a stream twice: once to
/// digest every section (raw bytes, XxHash128: this only decides what to show, deployment compares the bytes), once to
/// collect only the sections whose digest differs, which are then diffed line by line.
/// A 35 MB file with one changed tenant costs two sequential reads and a diff of one small section.</summary>
public static class ConfigDiff
{
    private const string Preamble = "";
    private const int Context = 3;

    private sealed record Section(string Name, int StartLine, int LineCount, UInt128 Hash);

    public sealed record Result(DiffStats Stats, string UnifiedDiff, bool Truncated);

    public static Result Compare(Func<Stream> live, Func<Stream> rendered, string fileName,
        DiffLineFilter? filter = null, int maxDiffLines = 20_000)
    {
        var before = Digest(live());
        var after = Digest(rendered());
        var changed = after.Keys.Where(k => !before.TryGetValue(k, out var b) || b.Hash != after[k].Hash)
            .Concat(before.Keys.Where(k => !after.ContainsKey(k)))
            .Where(k => k != Preamble) // the header comment changes with any change (it carries the hash)
            .ToHashSet(StringComparer.Ordinal);
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

    /// <summary>Calls <paramref name="onLine"/> for every line of the stream as raw bytes (no decoding, no strings):
    /// most of a big file is only hashed, so it never needs to become text.</summary>
    private static void ForEachLine(Stream stream, LineAction onLine)
    {
        using var _ = stream;
        var buffer = new byte[1 << 20];
        var filled = 0;
        var lineNo = 0;
        while (true)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            var span = buffer.AsSpan(0, filled);
            var start = 0;
            int nl;
            while ((nl = span[start..].IndexOf((byte)'\n')) >= 0)
            {
                onLine(++lineNo, TrimCr(span.Slice(start, nl)));
                start += nl + 1;
            }
            if (read == 0)
            {
                if (start < filled) onLine(++lineNo, TrimCr(span[start..]));
                return;
            }
            // Keep the unfinished line; grow the buffer when one line is larger than all of it.
            var rest = filled - start;
            if (start == 0 && rest == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            else buffer.AsSpan(start, rest).CopyTo(buffer);
            filled = rest;
        }
    }

    private delegate void LineAction(int lineNo, ReadOnlySpan<byte> line);

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

    private static Dictionary<string, Section> Digest(Stream stream)
    {
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        var name = Preamble;
        var start = 1;
        var count = 0;
        var hash = new System.IO.Hashing.XxHash128();
        void Close()
        {
            if (name != Preamble || count > 0) sections[name] = new Section(name, start, count, hash.GetCurrentHashAsUInt128());
            hash.Reset();
        }
        ForEachLine(stream, (lineNo, line) =>
        {
            if (SectionName(line) is { } next)
            {
                Close();
                name = next;
                start = lineNo;
                count = 0;
            }
            hash.Append(line);
            hash.Append("\n"u8);
            count++;
        });
        Close();
        return sections;
    }

    private static Dictionary<string, List<string>> Collect(Stream stream, IReadOnlySet<string> wanted)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<string>? current = null;
        ForEachLine(stream, (_, line) =>
        {
            if (SectionName(line) is { } next)
                current = wanted.Contains(next) ? result[next] = [] : null;
            current?.Add(Encoding.UTF8.GetString(line));
        });
        return result;
    }

    private static string? SectionName(ReadOnlySpan<byte> line)
    {
        if (line.Length < 2 || line[0] != '[') return null;
        var end = line.IndexOf((byte)']');
        return end > 1 ? Encoding.UTF8.GetString(line[1..end]) : null;
    }


    private sealed class DiffWriter(string fileName, int maxLines)
    {
        private readonly StringBuilder _text = new();
        private int _lines;
        public bool Truncated { get; private set; }

        public DiffStats Section(string name, List<string> a, int aStart, List<string> b, int bStart, DiffLineFilter? filter)
        {
            // A section that exists on one side only has no lines on the other: one block, without asking DiffPlex (which
            // would see one empty line there, and costs most of a first apply's diff, where every section is new).
            var blocks = a.Count == 0 || b.Count == 0
                ? [new DiffPlex.Model.DiffBlock(0, a.Count, 0, b.Count)]
                : Differ.Instance.CreateDiffs(string.Join('\n', a), string.Join('\n', b), false, false, LineChunker.Instance).DiffBlocks;
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
                if (filter is not null) hunk.RemoveAll(l => l[0] == ' ');
                if (hunk.Count > 0)
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
