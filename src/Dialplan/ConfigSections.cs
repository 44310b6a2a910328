using System.Buffers;
using System.Text;

namespace Did.Dialplan;

/// <summary>One section of a config file: <see cref="Name"/> from its <c>[name]</c> header ("" for the lines before
/// the first header), the file's line number of its first line, and how many lines it has.</summary>
public readonly record struct ConfigSection(string Name, int StartLine, int LineCount);

/// <summary>Receives a section and its bytes, header line included; the bytes are valid only during the call.</summary>
public delegate void ConfigSectionAction(in ConfigSection section, ReadOnlySpan<byte> bytes);

/// <summary>Splits a config file into sections without decoding it: a section starts at a line whose first byte is '['
/// and which has ']' after at least one character of name (<c>[name]</c>, <c>[name](template)</c>), and runs to the
/// next such line. Most of a big file is only searched for line starts, so finding the few sections that changed costs
/// about one read of the file and a hash of each section. A line ends at '\n'; a last line without one is still a line.</summary>
public static class ConfigSections
{
    public static void Read(Stream stream, ConfigSectionAction onSection)
    {
        using var _ = stream;
        // The current section runs from `start` to what has been read; it moves to the buffer's front only when the
        // buffer is full, and the buffer grows only for a section bigger than all of it.
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var start = 0;
            var filled = 0;
            var examined = 0; // the end of the whole lines already looked at
            var name = "";
            var startLine = 1;
            var lines = 0;
            var eof = false;
            var firstLineSeen = false;
            while (true)
            {
                if (!eof)
                {
                    if (filled == buffer.Length)
                    {
                        if (start == 0) buffer = Grow(buffer, filled);
                        else
                        {
                            buffer.AsSpan(start, filled - start).CopyTo(buffer);
                            filled -= start;
                            examined -= start;
                            start = 0;
                        }
                    }
                    var read = stream.Read(buffer, filled, buffer.Length - filled);
                    if (read == 0) eof = true;
                    filled += read;
                }
                if (!firstLineSeen)
                {
                    // A file that starts with a header has no preamble: its first section is that header's.
                    var end = buffer.AsSpan(0, filled).IndexOf((byte)'\n');
                    if (end < 0 && !eof) continue;
                    name = SectionName(TrimCr(end < 0 ? buffer.AsSpan(0, filled) : buffer.AsSpan(0, end))) ?? "";
                    firstLineSeen = true;
                }
                while (true)
                {
                    var span = buffer.AsSpan(0, filled);
                    // The next line that starts with '[' after the section's own first line.
                    var from = Math.Max(examined, start + 1);
                    var found = span[(from - 1)..].IndexOf("\n["u8);
                    var header = found < 0 ? -1 : from + found;
                    if (header < 0)
                    {
                        // No further header in what was read: count its whole lines and read on.
                        var last = span.LastIndexOf((byte)'\n');
                        if (last >= examined)
                        {
                            lines += span[examined..(last + 1)].Count((byte)'\n');
                            examined = last + 1;
                        }
                        break;
                    }
                    var lineEnd = span[header..].IndexOf((byte)'\n');
                    if (lineEnd < 0 && !eof) break; // the header line is not complete yet
                    var line = TrimCr(lineEnd < 0 ? span[header..] : span.Slice(header, lineEnd));
                    lines += span[examined..header].Count((byte)'\n');
                    examined = header;
                    if (SectionName(line) is not { } next)
                    {
                        // '[' without a name and ']': an ordinary line of this section.
                        examined = lineEnd < 0 ? filled : header + lineEnd + 1;
                        lines++;
                        continue;
                    }
                    Emit(onSection, name, startLine, lines, span[start..header]);
                    start = header;
                    name = next;
                    startLine += lines;
                    lines = 0;
                }
                if (eof)
                {
                    if (examined < filled) lines++; // the last line has no '\n'
                    Emit(onSection, name, startLine, lines, buffer.AsSpan(start, filled - start));
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The name of the section a line starts, or null when it starts none.</summary>
    public static string? SectionName(ReadOnlySpan<byte> line)
    {
        if (line.Length < 2 || line[0] != '[') return null;
        var end = line.IndexOf((byte)']');
        return end > 1 ? Encoding.UTF8.GetString(line[1..end]) : null;
    }

    public static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

    private static void Emit(ConfigSectionAction onSection, string name, int startLine, int lines, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return; // an empty file
        onSection(new ConfigSection(name, startLine, lines), bytes);
    }

    private static byte[] Grow(byte[] buffer, int filled)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, filled).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
