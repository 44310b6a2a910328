using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using Did.Dialplan;
using Microsoft.Win32.SafeHandles;

namespace Did.Features.Routing;

/// <summary>A dialplan file as a walk reads it: contexts on demand, each parsed from its own byte range, so simulating one
/// call reads the contexts it passes, not the whole live file. Where each <c>[context]</c> starts is found once per
/// version of the file (its length, modification time and header) by one pass of the scanner the linter uses, so
/// comments and an unclosed '[' count as Asterisk counts them; the pass also takes a fingerprint of the bytes, to tell
/// whether two nodes run the same file. The file stays open for the walk: a file replaced meanwhile (Apply renames a
/// new one into place) does not change what this walk reads.</summary>
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
            // A version is its length, its modification time and its header (which declares the body's sha256): two
            // renders of equal length written within one tick of the file system's clock still differ in the header.
            var key = $"{length}:{modified.Ticks}:{Head(handle)}:{path}";
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

    private static string Head(SafeFileHandle handle)
    {
        Span<byte> head = stackalloc byte[512];
        var read = RandomAccess.Read(handle, head, 0);
        return Convert.ToHexStringLower(XxHash128.Hash(head[..read]));
    }

    public IReadOnlyList<DialplanContext> Sections(string context) => _index.Sections(_handle, context, null);

    public IReadOnlyList<DialplanContext> Sections(string context, string extension) => _index.Sections(_handle, context, extension);

    public void Dispose() => _handle.Dispose();
}

/// <summary>Where each context of one version of a file starts and ends. A context is read again for each walk that
/// needs it, straight from its byte range through pooled buffers, keeping only the entries the call can reach: that is
/// cheaper than keeping contexts parsed (a shard of a thousand numbers with rules is a few thousand lines).</summary>
internal sealed class DialplanFileIndex
{
    private readonly Dictionary<string, List<(long Start, long End, int Line)>> _sections;

    private DialplanFileIndex(Dictionary<string, List<(long, long, int)>> sections, string fingerprint, string? declared)
    {
        _sections = sections;
        Fingerprint = fingerprint;
        DeclaredSha256 = declared;
    }

    public string Fingerprint { get; }
    public string? DeclaredSha256 { get; }

    /// <summary>The sections of <paramref name="name"/>, with every entry, or with only those of <paramref name="extension"/>
    /// and the '_' patterns.</summary>
    public IReadOnlyList<DialplanContext> Sections(SafeFileHandle handle, string name, string? extension)
    {
        if (!_sections.TryGetValue(name, out var ranges)) return [];
        var result = new List<DialplanContext>(ranges.Count);
        foreach (var (start, end, line) in ranges)
        {
            var length = (int)(end - start);
            var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
            var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxCharCount(length)));
            try
            {
                var read = 0;
                while (read < length)
                {
                    var n = RandomAccess.Read(handle, bytes.AsSpan(read, length - read), start + read);
                    if (n == 0) break;
                    read += n;
                }
                var text = chars.AsSpan(0, Encoding.UTF8.GetChars(bytes.AsSpan(0, read), chars));
                var sink = new EntrySink(line, extension);
                var scanner = new DialplanScanner(sink);
                while (!text.IsEmpty && !sink.Done)
                {
                    // Line breaks as TextReader.ReadLine has them: '\n', '\r' or "\r\n".
                    var at = text.IndexOfAny('\r', '\n');
                    var current = at < 0 ? text : text[..at];
                    if (!scanner.ScanLine(current)) break;
                    text = at < 0 ? [] : text[(at + (text[at] == '\r' && at + 1 < text.Length && text[at + 1] == '\n' ? 2 : 1))..];
                }
                if (sink.Name is { } found) result.Add(new DialplanContext(found, line, "", sink.Entries, []));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
                ArrayPool<char>.Shared.Return(chars);
            }
        }
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

    /// <summary>The entries of one section as a walk needs them (all, or those of one extension and the patterns): fields
    /// as strings, line numbers as in the file, no line text (a walk reports where it stopped by line number), the
    /// extension of consecutive lines shared.</summary>
    private sealed class EntrySink(int firstLine, string? extension) : IDialplanSink
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
            if (extension is not null && !e.Extension.SequenceEqual(extension) && !(e.Extension.Length > 1 && e.Extension[0] == '_')) return;
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
