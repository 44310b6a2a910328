using System.Buffers;
using System.Text;

namespace Did.Infrastructure.Ami;

/// <summary>Reads the AMI wire format from a stream: one banner line (<c>Asterisk Call Manager/x.y.z</c> + CRLF), then
/// packets of <c>Key: Value</c> CRLF lines, each packet ended by an empty line. The old CLI form
/// (<c>Response: Follows</c>, raw output lines, <c>--END COMMAND--</c>) is read too and its output returned as
/// <c>Output:</c> fields, the same shape as Asterisk 21+. Not thread-safe: one reader per connection.</summary>
public sealed class AmiFrameReader
{
    public const string BannerPrefix = "Asterisk Call Manager/";
    private const string EndCommand = "--END COMMAND--";

    private readonly Stream _stream;
    private readonly AmiFramingLimits _limits;
    private readonly byte[] _buf;
    private readonly AmiStringCache _strings = new();
    private int _start;
    private int _end;
    private int _lineStart;
    private int _lineLength;

    public AmiFrameReader(Stream stream, AmiFramingLimits? limits = null)
    {
        _stream = stream;
        _limits = limits ?? AmiFramingLimits.Default;
        _buf = new byte[_limits.MaxLineBytes + 2];
    }

    /// <summary>Reads the banner line and returns it (without CRLF).</summary>
    public async ValueTask<string> ReadBannerAsync(CancellationToken ct = default)
    {
        if (!await ReadLineAsync(allowBareLf: false, ct))
            throw new AmiConnectionException("The AMI server closed the connection before sending its banner.");
        var banner = Decode(Line);
        if (!banner.StartsWith(BannerPrefix, StringComparison.Ordinal))
            throw new AmiProtocolException($"Not an AMI banner: '{Truncate(banner)}'.");
        return banner;
    }

    /// <summary>Reads the next packet, or returns null when the stream ends cleanly between packets.</summary>
    public async ValueTask<AmiMessage?> ReadMessageAsync(CancellationToken ct = default)
    {
        var fields = new List<KeyValuePair<string, string>>(8);
        while (true)
        {
            if (!await ReadLineAsync(allowBareLf: false, ct))
            {
                if (fields.Count == 0) return null;
                throw new AmiConnectionException("The AMI connection closed in the middle of a packet.");
            }
            if (_lineLength == 0)
            {
                if (fields.Count == 0) continue;
                return new AmiMessage(fields, takeOwnership: true);
            }
            fields.Add(ParseField(Line));
            CheckCount(fields);
            if (fields.Count == 1 && fields[0].Key.Equals("Response", StringComparison.OrdinalIgnoreCase)
                && fields[0].Value.Equals("Follows", StringComparison.OrdinalIgnoreCase))
            {
                await ReadCommandOutputAsync(fields, ct);
                return new AmiMessage(fields, takeOwnership: true);
            }
        }
    }

    /// <summary>After <c>Response: Follows</c>: header lines (<c>Privilege</c>, <c>ActionID</c>, <c>Message</c>) until the
    /// first output line, then raw output lines (LF or CRLF) until <c>--END COMMAND--</c> (alone on its line or glued
    /// to the end of the last output line), then the empty line that ends the packet.</summary>
    private async ValueTask ReadCommandOutputAsync(List<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        var inOutput = false;
        while (true)
        {
            if (!await ReadLineAsync(allowBareLf: true, ct))
                throw new AmiConnectionException("The AMI connection closed in the middle of a command output.");
            var line = Decode(Line);
            if (!inOutput && IsFollowsHeader(line, out var field))
            {
                fields.Add(field);
                continue;
            }
            inOutput = true;
            if (line.EndsWith(EndCommand, StringComparison.Ordinal))
            {
                if (line.Length > EndCommand.Length) fields.Add(new("Output", line[..^EndCommand.Length]));
                break;
            }
            fields.Add(new("Output", line));
            CheckCount(fields);
        }
        if (!await ReadLineAsync(allowBareLf: false, ct))
            throw new AmiConnectionException("The AMI connection closed in the middle of a command output.");
        if (_lineLength != 0)
            throw new AmiProtocolException($"Expected an empty line after {EndCommand}, got '{Truncate(Decode(Line))}'.");
    }

    private static bool IsFollowsHeader(string line, out KeyValuePair<string, string> field)
    {
        foreach (var key in (ReadOnlySpan<string>)["Privilege", "ActionID", "Message"])
        {
            if (line.Length > key.Length + 1 && line.StartsWith(key, StringComparison.OrdinalIgnoreCase) && line[key.Length] == ':')
            {
                var value = line[(key.Length + 1)..];
                field = new(key, value.StartsWith(' ') ? value[1..] : value);
                return true;
            }
        }
        field = default;
        return false;
    }

    private void CheckCount(List<KeyValuePair<string, string>> fields)
    {
        if (fields.Count > _limits.MaxPacketLines)
            throw new AmiProtocolException($"AMI packet has more than {_limits.MaxPacketLines} lines.");
    }

    private ReadOnlySpan<byte> Line => _buf.AsSpan(_lineStart, _lineLength);

    private KeyValuePair<string, string> ParseField(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
            throw new AmiProtocolException($"AMI line is not 'Key: Value': '{Truncate(Decode(line))}'.");
        var key = line[..colon];
        if (key.IndexOfAny((byte)' ', (byte)'\t') >= 0)
            throw new AmiProtocolException($"AMI key contains whitespace: '{Truncate(Decode(key))}'.");
        var value = line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ') value = value[1..];
        return _strings.Field(key, value);
    }

    /// <summary>Finds the next line; sets <see cref="_lineStart"/>/<see cref="_lineLength"/> (terminator excluded).
    /// Returns false at end of stream with no pending bytes.</summary>
    private async ValueTask<bool> ReadLineAsync(bool allowBareLf, CancellationToken ct)
    {
        var scanFrom = _start;
        while (true)
        {
            var found = _buf.AsSpan(scanFrom, _end - scanFrom).IndexOf((byte)'\n');
            if (found >= 0)
            {
                var lf = scanFrom + found;
                var lineEnd = lf;
                if (lineEnd > _start && _buf[lineEnd - 1] == (byte)'\r') lineEnd--;
                else if (!allowBareLf) throw new AmiProtocolException("AMI line not ended by CRLF (bare LF).");
                _lineStart = _start;
                _lineLength = lineEnd - _start;
                _start = lf + 1;
                if (_lineLength > _limits.MaxLineBytes) throw LineTooLong();
                CheckCharacters(Line);
                return true;
            }
            if (_end - _start >= _buf.Length) throw LineTooLong();
            if (_end == _buf.Length)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            scanFrom = _end;
            var n = await _stream.ReadAsync(_buf.AsMemory(_end), ct);
            if (n == 0)
            {
                if (_end > _start) throw new AmiConnectionException("The AMI connection closed in the middle of a line.");
                return false;
            }
            _end += n;
        }
    }

    private AmiProtocolException LineTooLong() => new($"AMI line longer than {_limits.MaxLineBytes} bytes.");

    private static void CheckCharacters(ReadOnlySpan<byte> line)
    {
        var at = line.IndexOfAny(ControlCharacters);
        if (at >= 0) throw new AmiProtocolException($"AMI line contains control character 0x{line[at]:X2}.");
    }

    // Every control character but tab; searched with vector instructions (each of a million lines is checked).
    private static readonly SearchValues<byte> ControlCharacters =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Where(b => b != '\t').Select(b => (byte)b), 0x7F]);

    private static string Decode(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
