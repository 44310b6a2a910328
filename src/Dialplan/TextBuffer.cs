using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Did.Dialplan;

/// <summary>An append-only text buffer in pooled 1 MiB chunks. The file header must hold the hash of the body,
/// so the body is rendered here first (one copy, no re-allocation while it grows), hashed, then copied to the
/// caller's writer after the header.</summary>
internal sealed class TextBuffer : IDisposable
{
    private const int ChunkSize = 1 << 20;
    private readonly List<char[]> _full = [];
    private char[] _current = ArrayPool<char>.Shared.Rent(ChunkSize);
    private int _position;

    public long Length => (long)_full.Count * ChunkSize + _position;

    public void Append(string s) => Append(s.AsSpan());

    public void Append(ReadOnlySpan<char> s)
    {
        if (s.Length <= ChunkSize - _position)
        {
            s.CopyTo(_current.AsSpan(_position));
            _position += s.Length;
            return;
        }
        while (!s.IsEmpty)
        {
            if (_position == ChunkSize) NextChunk();
            var n = Math.Min(s.Length, ChunkSize - _position);
            s[..n].CopyTo(_current.AsSpan(_position));
            _position += n;
            s = s[n..];
        }
    }

    public void Append(char c)
    {
        if (_position == ChunkSize) NextChunk();
        _current[_position++] = c;
    }

    public void Append(int value)
    {
        Span<char> digits = stackalloc char[11];
        value.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        Append(digits[..written]);
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of the text.</summary>
    public string Sha256Hex()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var encoder = Encoding.UTF8.GetEncoder();
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(ChunkSize));
        try
        {
            foreach (var (chunk, last) in Chunks())
            {
                var n = encoder.GetBytes(chunk.Span, bytes, flush: last);
                hash.AppendData(bytes, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void CopyTo(TextWriter writer)
    {
        foreach (var (chunk, _) in Chunks()) writer.Write(chunk.Span);
    }

    private IEnumerable<(ReadOnlyMemory<char> Chunk, bool Last)> Chunks()
    {
        foreach (var full in _full) yield return (full.AsMemory(0, ChunkSize), false);
        yield return (_current.AsMemory(0, _position), true);
    }

    private void NextChunk()
    {
        _full.Add(_current);
        _current = ArrayPool<char>.Shared.Rent(ChunkSize);
        _position = 0;
    }

    public void Dispose()
    {
        foreach (var c in _full) ArrayPool<char>.Shared.Return(c);
        _full.Clear();
        ArrayPool<char>.Shared.Return(_current);
        _current = [];
    }
}
