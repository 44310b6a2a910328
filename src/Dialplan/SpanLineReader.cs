namespace Did.Dialplan;

/// <summary>Reads lines from a <see cref="TextReader"/> as spans over one reused buffer, with the same line breaks
/// as <see cref="TextReader.ReadLine"/> ('\n', '\r' or "\r\n"; a last line without a break counts). A 1.6-million-line
/// dialplan would otherwise cost a string per line before any field is looked at.</summary>
internal sealed class SpanLineReader(TextReader reader, int bufferSize = 1 << 16)
{
    private char[] _buf = new char[Math.Max(16, bufferSize)];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The next line without its break; valid only until the next call.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        var scanned = 0; // chars after _start known to hold no line break
        while (true)
        {
            var found = _buf.AsSpan(_start + scanned, _end - _start - scanned).IndexOfAny('\r', '\n');
            if (found >= 0)
            {
                var at = _start + scanned + found;
                if (_buf[at] == '\r' && at + 1 == _end && !_eof)
                {
                    // A '\r' at the end of what was read: a '\n' may follow in the next read ("\r\n" is one break).
                    scanned += found;
                    Fill();
                    continue;
                }
                var next = at + 1;
                if (_buf[at] == '\r' && next < _end && _buf[next] == '\n') next++;
                line = _buf.AsSpan(_start, at - _start);
                _start = next;
                return true;
            }
            scanned = _end - _start;
            if (_eof)
            {
                line = _buf.AsSpan(_start, _end - _start);
                var any = _end > _start;
                _start = _end;
                return any;
            }
            Fill();
        }
    }

    // Moves the unread rest to the front (growing the buffer for a line longer than it) and reads more.
    private void Fill()
    {
        if (_start > 0)
        {
            Array.Copy(_buf, _start, _buf, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
        var n = reader.Read(_buf, _end, _buf.Length - _end);
        if (n == 0) _eof = true;
        else _end += n;
    }
}
