using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Did.Dialplan;

/// <summary>Where the writers put text: a small pooled buffer that, when full, is encoded to UTF-8, hashed and written to
/// a <see cref="Stream"/> (<see cref="ForStream"/>). The header must hold the hash of the body and comes first, so the
/// body is rendered once into a seekable stream: the header goes first with a placeholder where the hash goes, and the
/// hash is written over it at the end; the body is never held whole in memory.
/// Full buffers are encoded, hashed and written on a second thread while the writers fill the next one: SHA-256 of a
/// large body costs about as much as generating it, so the two overlap. The bytes are still hashed and written in
/// order.</summary>
internal sealed class TextBuffer : IDisposable
{
    private const int Size = 64 * 1024;
    private const int HashBuffers = 4;
    private readonly Stream _stream; // written on the hashing thread only
    private readonly IncrementalHash _hash;
    private readonly BlockingCollection<(char[] Chars, int Length)> _toHash;
    private readonly BlockingCollection<char[]> _free;
    private readonly Task _hasher;
    // Rented and returned here, not on the hashing thread: that thread ends with each pass, and the pool keeps an array
    // returned on a thread for that thread first, so one returned there would be lost to the next pass.
    private readonly byte[] _bytes;
    private char[] _chars;
    private int _position;

    private TextBuffer(Stream stream)
    {
        _stream = stream;
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _chars = ArrayPool<char>.Shared.Rent(Size);
        _toHash = new BlockingCollection<(char[] Chars, int Length)>(HashBuffers);
        _free = new BlockingCollection<char[]>(HashBuffers);
        for (var i = 1; i < HashBuffers; i++) _free.Add(ArrayPool<char>.Shared.Rent(Size));
        _bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(Size));
        _hasher = Task.Factory.StartNew(HashLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    // The hashing thread: encodes each full buffer to UTF-8, hashes and writes the bytes, hands the buffer back.
    private void HashLoop()
    {
        var encoder = new UTF8Encoding(false).GetEncoder();
        var bytes = _bytes;
        foreach (var (chars, length) in _toHash.GetConsumingEnumerable())
        {
            var n = encoder.GetBytes(chars.AsSpan(0, length), bytes, flush: false);
            _hash.AppendData(bytes, 0, n);
            _stream.Write(bytes, 0, n);
            _free.Add(chars);
        }
        var tail = encoder.GetBytes([], bytes, flush: true);
        _hash.AppendData(bytes, 0, tail);
        _stream.Write(bytes, 0, tail);
    }

    /// <summary>Writes the UTF-8 bytes to <paramref name="stream"/> and hashes the same bytes. The stream must not be
    /// used by anyone else until <see cref="Sha256Hex"/> returns.</summary>
    public static TextBuffer ForStream(Stream stream) => new(stream);

    public void Append(string s) => Append(s.AsSpan());

    public void Append(ReadOnlySpan<char> s)
    {
        if (s.Length <= Size - _position)
        {
            s.CopyTo(_chars.AsSpan(_position));
            _position += s.Length;
            return;
        }
        while (!s.IsEmpty)
        {
            if (_position == Size) Flush(last: false);
            var n = Math.Min(s.Length, Size - _position);
            s[..n].CopyTo(_chars.AsSpan(_position));
            _position += n;
            s = s[n..];
        }
    }

    public void Append(char c)
    {
        if (_position == Size) Flush(last: false);
        _chars[_position++] = c;
    }

    public void Append(int value)
    {
        Span<char> digits = stackalloc char[11];
        value.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        Append(digits[..written]);
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of everything appended; every byte has been written to the
    /// stream when this returns.</summary>
    public string Sha256Hex()
    {
        Flush(last: true);
        _toHash.CompleteAdding();
        _hasher.GetAwaiter().GetResult();
        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    private void Flush(bool last)
    {
        if (_position == 0 && last) return;
        _toHash.Add((_chars, _position));
        char[]? next;
        // If the hashing thread died, no buffer will come back: surface its exception instead of waiting forever.
        while (!_free.TryTake(out next, 50))
            if (_hasher.IsCompleted) _hasher.GetAwaiter().GetResult();
        _chars = next;
        _position = 0;
    }

    public void Dispose()
    {
        if (!_toHash.IsAddingCompleted) _toHash.CompleteAdding();
        try { _hasher.Wait(); }
        catch (AggregateException) { /* already surfaced by Flush or Sha256Hex; Dispose only releases buffers */ }
        while (_free.TryTake(out var spare)) ArrayPool<char>.Shared.Return(spare);
        _toHash.Dispose();
        _free.Dispose();
        ArrayPool<byte>.Shared.Return(_bytes);
        _hash.Dispose();
        if (_chars.Length > 0) ArrayPool<char>.Shared.Return(_chars);
        _chars = [];
    }
}
