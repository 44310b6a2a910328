using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Did.Dialplan;

/// <summary>A fingerprint of one rendered context: how many priorities it has and the sum of a 128-bit hash of each
/// priority's (extension, priority, application ignoring case, data). A sum does not depend on order, so the file's
/// order and the order AMI lists them in (literals, then patterns, sorted) give the same value: verify compares the
/// switch with the file without parsing the file again or holding its entries.</summary>
public sealed record ContextDigest(string Name, int LineNumber, int Entries, UInt128 Sum);

/// <summary>Adds up <see cref="ContextDigest"/> hashes; one per thread (it reuses a buffer).</summary>
public sealed class ContextDigestBuilder
{
    private char[] _scratch = new char[256];

    public int Entries { get; private set; }
    public UInt128 Sum { get; private set; }

    public void Reset()
    {
        Entries = 0;
        Sum = 0;
    }

    /// <summary>Length-prefixed fields, so ("1","23") and ("12","3") differ; the application upper-cased because
    /// Asterisk and the verifier compare it ignoring case.</summary>
    public void Add(ReadOnlySpan<char> extension, int priority, ReadOnlySpan<char> application, ReadOnlySpan<char> appData)
    {
        var length = 8 + extension.Length + application.Length + appData.Length;
        if (length > _scratch.Length) _scratch = new char[length * 2];
        var s = _scratch.AsSpan(0, length);
        var i = 0;
        i = Length(s, i, extension.Length);
        extension.CopyTo(s[i..]);
        i += extension.Length;
        s[i++] = (char)(priority & 0xFFFF);
        s[i++] = (char)((uint)priority >> 16);
        i = Length(s, i, application.Length);
        application.ToUpperInvariant(s[i..]);
        i += application.Length;
        i = Length(s, i, appData.Length);
        appData.CopyTo(s[i..]);
        Sum += XxHash128.HashToUInt128(MemoryMarshal.AsBytes(s));
        Entries++;
    }

    private static int Length(Span<char> s, int i, int length)
    {
        s[i] = (char)(length & 0xFFFF);
        s[i + 1] = (char)(length >> 16);
        return i + 2;
    }

    public ContextDigest ToDigest(string name, int lineNumber) => new(name, lineNumber, Entries, Sum);
}

/// <summary>One <see cref="ContextDigest"/> per <c>[context]</c> header of a file, in file order (a context written twice
/// gets two, as <see cref="DialplanParser.ReadContexts"/> yields it twice), without keeping any entry: the digests
/// <see cref="DialplanLinter"/> hands out, for a caller that does not lint. Lines Asterisk skips are skipped.</summary>
public static class ContextDigests
{
    public static List<ContextDigest> Read(TextReader reader)
    {
        var sink = new Sink();
        DialplanScanner.Scan(reader, sink);
        sink.End();
        return sink.Digests;
    }

    private sealed class Sink : IDialplanSink
    {
        private readonly ContextDigestBuilder _digest = new();
        private string? _context;
        private int _line;

        public List<ContextDigest> Digests { get; } = [];

        public void Context(ReadOnlySpan<char> name, int lineNumber, ReadOnlySpan<char> lineText)
        {
            End();
            _context = name.ToString();
            _line = lineNumber;
        }

        public void Entry(in ScannedEntry e) => _digest.Add(e.Extension, e.Priority, e.Application, e.AppData);

        public void Include(ReadOnlySpan<char> context, int lineNumber, ReadOnlySpan<char> lineText) { }

        public void Error(DialplanSyntaxError error) { }

        public void End()
        {
            if (_context is not null) Digests.Add(_digest.ToDigest(_context, _line));
            _digest.Reset();
        }
    }
}
