namespace Did.Features.Dids;

/// <summary>A CSV row the importer refuses before parsing: <see cref="Line"/> names it.</summary>
internal sealed class CsvFormatException(long line, string problem) : Exception($"line {line}: {problem}")
{
    public long Line { get; } = line;

    /// <summary>What is wrong with the line, without the "line N: " that <see cref="Exception.Message"/> starts with.</summary>
    public string Problem { get; } = problem;
}

/// <summary>Bounds the memory a CSV parser can be made to use: the bytes of one row (a physical line, or several when a
/// quoted cell spans lines) may not exceed <paramref name="maxRowBytes"/>. Without it a 10 MB line, or a stray quote that
/// never closes, makes the parser buffer the rest of the body. Quote parity is tracked the way the parser reads quotes
/// (each '"' toggles), so line breaks inside quoted cells do not end the row.</summary>
internal sealed class CsvGuardStream(Stream inner, int maxRowBytes) : Stream
{
    private long _line = 1;
    private long _rowStartLine = 1;
    private long _rowBytes;
    private bool _inQuotes;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await inner.ReadAsync(buffer, ct);
        Scan(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Scan(buffer[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Scan(ReadOnlySpan<byte> span)
    {
        while (!span.IsEmpty)
        {
            var k = span.IndexOfAny((byte)'\n', (byte)'\r', (byte)'"');
            if (k < 0)
            {
                Grow(span.Length);
                return;
            }
            Grow(k + 1);
            switch (span[k])
            {
                case (byte)'"':
                    _inQuotes = !_inQuotes;
                    break;
                case (byte)'\n':
                    _line++;
                    if (!_inQuotes) { _rowBytes = 0; _rowStartLine = _line; }
                    break;
                default: // '\r': a row ends here too (or at the '\n' that follows)
                    if (!_inQuotes) _rowBytes = 0;
                    break;
            }
            span = span[(k + 1)..];
        }
    }

    private void Grow(int bytes)
    {
        _rowBytes += bytes;
        if (_rowBytes > maxRowBytes)
            throw new CsvFormatException(_rowStartLine,
                $"the row is longer than {maxRowBytes:N0} bytes" + (_inQuotes ? " (a quote opened here never closes)" : ""));
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
