using System.Text;

namespace Did.Dialplan;

/// <summary>Picks whole <c>[context]</c> sections out of a file the renderer wrote, by name, without parsing the rest
/// (<see cref="ConfigSections"/>): each wanted section is parsed with <see cref="DialplanParser"/> (which numbers
/// priorities per context, so a section read alone means what it means in the file) and given the file's line numbers.
/// Only for files of this renderer: one header per context, no block comment spanning a header.</summary>
public static class ContextSections
{
    /// <summary>The sections of <paramref name="names"/> in <paramref name="file"/>, in file order; the stream is
    /// disposed.</summary>
    public static IReadOnlyList<DialplanContext> Read(Stream file, IReadOnlySet<string> names)
    {
        var found = new List<DialplanContext>();
        ConfigSections.Read(file, (in ConfigSection s, ReadOnlySpan<byte> bytes) =>
        {
            if (s.Name.Length == 0 || !names.Contains(s.Name)) return;
            var shift = s.StartLine - 1;
            foreach (var c in DialplanParser.Parse(Encoding.UTF8.GetString(bytes)).Contexts)
                found.Add(c with
                {
                    LineNumber = c.LineNumber + shift,
                    Entries = [.. c.Entries.Select(e => e with { LineNumber = e.LineNumber + shift })],
                    Includes = [.. c.Includes.Select(i => i with { LineNumber = i.LineNumber + shift })],
                });
        });
        return found;
    }
}
