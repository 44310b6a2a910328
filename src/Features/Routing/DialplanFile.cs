using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using Did.Dialplan;
using Microsoft.Win32.SafeHandles;

namespace Did.Features.Routing;

/// <summary>A dialplan file as a walk reads it: contexts on demand, each parsed from its own byte range, so simulating one
/// call on a 35 MB live file reads a few kilobytes. Where each <c>[context]</c> starts is found once per version of the
/// file (its length and modification time) by one pass of the scanner the linter uses, so comments and an unclosed '['
/// count as Asterisk counts them; the pass also takes a fingerprint of the bytes, to tell whether two nodes run the same
/// file. The file stays open for the walk: a file replaced meanwhile (Apply renames a new one into place) does not
/// change what this walk reads.</summary>
public sealed class DialplanFile : IDialplanSource, IDisposable
{
    private static readonly ConcurrentDictionary<string, Lazy<DialplanFileIndex>> Indexes = new(StringComparer.Ordinal);

    private readonly SafeFileHandle _handle;
    private readonly DialplanFileIndex _index;

    private DialplanFile(SafeFileHandle handle, DialplanFileIndex index)
    {
        _handle = handle;
        _index = index;
    }

    /// <summary>The bytes' fingerprint (XxHash128, hex): equal for byte-identical files.</summary>
    public string Fingerprint => _index.Fingerprint;

    /// <summary>The sha256 the file's header declares for its body (what apply jobs report as content_sha256), or null.</summary>
    public string? DeclaredSha256 => _index.DeclaredSha256;

    /// <summary>Opens <paramref name="path"/> for walks; null when it does not exist. With <paramref name="cache"/> (a live
    /// file, walked again and again) the index of this version is kept for the next walk; without (a file rendered for one
    /// walk) it is not.</summary>
    public static async Task<DialplanFile?> OpenAsync(string path, bool cache, CancellationToken ct)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        try
        {
            var length = RandomAccess.GetLength(handle);
            if (!cache) return new DialplanFile(handle, await Task.Run(() => DialplanFileIndex.Build(handle, length), CancellationToken.None));
            var modified = File.GetLastWriteTimeUtc(handle);
            var key = $"{length}:{modified.Ticks}:{path}";
            // Built once per version with the handle of the request that asked first; that request waits for the build to
            // end (no cancellation while it runs), so the handle outlives it. A failed build is not kept.
            var lazy = Indexes.GetOrAdd(key, _ => new Lazy<DialplanFileIndex>(() => DialplanFileIndex.Build(handle, length)));
            DialplanFileIndex index;
            try
            {
                index = await Task.Run(() => lazy.Value, CancellationToken.None);
            }
            catch
            {
                Indexes.TryRemove(key, out _);
                throw;
            }
            ct.ThrowIfCancellationRequested();
            // Older versions of this path are not needed again.
            foreach (var old in Indexes.Keys.Where(k => k != key && k.EndsWith(":" + path, StringComparison.Ordinal)))
                Indexes.TryRemove(old, out _);
            return new DialplanFile(handle, index);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public IReadOnlyList<DialplanContext> Sections(string context) => _index.Sections(_handle, context);

    public void Dispose() => _handle.Dispose();
}

/// <summary>Where each context of one version of a file starts and ends, and the contexts parsed so far (a few dozen
/// kept: a shard of a thousand numbers is the largest, and walks mostly meet the same few).</summary>
internal sealed class DialplanFileIndex
{
    private const int ParsedToKeep = 64;
    private readonly Dictionary<string, List<(long Start, long End, int Line)>> _sections;
    private readonly ConcurrentDictionary<string, IReadOnlyList<DialplanContext>> _parsed = new(StringComparer.Ordinal);

    private DialplanFileIndex(Dictionary<string, List<(long, long, int)>> sections, string fingerprint, string? declared)
    {
        _sections = sections;
        Fingerprint = fingerprint;
        DeclaredSha256 = declared;
    }

    public string Fingerprint { get; }
    public string? DeclaredSha256 { get; }

    public IReadOnlyList<DialplanContext> Sections(SafeFileHandle handle, string name)
    {
        if (_parsed.TryGetValue(name, out var parsed)) return parsed;
        if (!_sections.TryGetValue(name, out var ranges)) return [];
        var result = new List<DialplanContext>(ranges.Count);
        foreach (var (start, end, line) in ranges)
        {
            var bytes = new byte[end - start];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), start + read);
                if (n == 0) break;
                read += n;
            }
            var sink = new EntrySink(line);
            var scanner = new DialplanScanner(sink);
            var lines = new SpanLineReader(new StringReader(Encoding.UTF8.GetString(bytes, 0, read)));
            while (lines.TryReadLine(out var text) && scanner.ScanLine(text) && !sink.Done) { }
            if (sink.Name is { } found) result.Add(new DialplanContext(found, line, "", sink.Entries, []));
        }
        if (_parsed.Count >= ParsedToKeep) _parsed.Clear();
        _parsed[name] = result;
        return result;
    }

    /// <summary>One pass over the file: each line (split as <see cref="TextReader.ReadLine"/> splits, so the byte offsets match
    /// what <see cref="DialplanParser"/> reads) goes through the scanner, which reports the context headers.</summary>
    public static DialplanFileIndex Build(SafeFileHandle handle, long length)
    {
        var headers = new HeaderSink();
        var scanner = new DialplanScanner(headers);
        var hash = new XxHash128();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var chars = ArrayPool<char>.Shared.Rent(1 << 16);
        var line = new List<byte>(256);
        long offset = 0, lineStart = 0, stoppedAt = -1;
        string? declared = null;
        var lineNumber = 0;
        var pendingCr = false;
        try
        {
            void EndLine(long next)
            {
                lineNumber++;
                if (stoppedAt < 0)
                {
                    var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line);
                    if (chars.Length < span.Length) { ArrayPool<char>.Shared.Return(chars); chars = ArrayPool<char>.Shared.Rent(span.Length * 2); }
                    var n = Encoding.UTF8.GetChars(span, chars);
                    var text = chars.AsSpan(0, n);
                    if (lineNumber <= 4 && text.StartsWith("; sha256 of body: ", StringComparison.Ordinal)) declared = text[18..].Trim().ToString();
                    headers.LineStart = lineStart;
                    if (!scanner.ScanLine(text)) stoppedAt = lineStart;
                }
                line.Clear();
                lineStart = next;
            }

            while (offset < length)
            {
                var n = RandomAccess.Read(handle, buffer, offset);
                if (n == 0) break;
                var span = buffer.AsSpan(0, n);
                hash.Append(span);
                var i = 0;
                while (i < n)
                {
                    if (pendingCr)
                    {
                        pendingCr = false;
                        if (span[i] == '\n') { lineStart = offset + ++i; continue; } // "\r\n" is one break
                    }
                    var k = span[i..].IndexOfAny((byte)'\r', (byte)'\n');
                    if (k < 0) { line.AddRange(span[i..]); break; }
                    line.AddRange(span.Slice(i, k));
                    pendingCr = span[i + k] == '\r';
                    EndLine(offset + i + k + 1);
                    i += k + 1;
                }
                offset += n;
            }
            if (line.Count > 0) EndLine(offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }

        var end = stoppedAt >= 0 ? stoppedAt : offset;
        var sections = new Dictionary<string, List<(long, long, int)>>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Found.Count; i++)
        {
            var (name, start, at) = headers.Found[i];
            var stop = i + 1 < headers.Found.Count ? headers.Found[i + 1].Start : end;
            if (!sections.TryGetValue(name, out var list)) sections[name] = list = [];
            list.Add((start, stop, at));
        }
        return new DialplanFileIndex(sections, Convert.ToHexStringLower(hash.GetCurrentHash()), declared);
    }

    /// <summary>The entries of one section as a walk needs them: fields as strings, line numbers as in the file, no line
    /// text (a walk reports where it stopped by line number), the extension of consecutive lines shared.</summary>
    private sealed class EntrySink(int firstLine) : IDialplanSink
    {
        private readonly Dictionary<string, string> _applications = new(StringComparer.Ordinal);
        private string _extension = "";

        public string? Name { get; private set; }
        public bool Done { get; private set; }
        public List<DialplanEntry> Entries { get; } = [];

        public void Context(ReadOnlySpan<char> name, int lineNumber, ReadOnlySpan<char> lineText)
        {
            if (Name is null) Name = name.ToString();
            else Done = true; // the next section starts: the range ended
        }

        public void Entry(in ScannedEntry e)
        {
            if (Done) return;
            if (!e.Extension.SequenceEqual(_extension)) _extension = e.Extension.ToString();
            var lookup = _applications.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(e.Application, out var application)) _applications[application = e.Application.ToString()] = application;
            Entries.Add(new DialplanEntry(_extension, e.Priority, e.HasLabel ? e.Label.ToString() : null, application, e.AppData.ToString(),
                e.LineNumber + firstLine - 1, "", e.HasCallerId ? e.CallerId.ToString() : null));
        }

        public void Include(ReadOnlySpan<char> context, int lineNumber, ReadOnlySpan<char> lineText) { }
        public void Error(DialplanSyntaxError error) { }
    }

    private sealed class HeaderSink : IDialplanSink
    {
        public long LineStart { get; set; }
        public List<(string Name, long Start, int Line)> Found { get; } = [];

        public void Context(ReadOnlySpan<char> name, int lineNumber, ReadOnlySpan<char> lineText) => Found.Add((name.ToString(), LineStart, lineNumber));
        public void Entry(in ScannedEntry entry) { }
        public void Include(ReadOnlySpan<char> context, int lineNumber, ReadOnlySpan<char> lineText) { }
        public void Error(DialplanSyntaxError error) { }
    }
}
