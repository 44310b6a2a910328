using System.Text;

namespace Did.Dialplan;

/// <summary>Picks whole <c>[context]</c> sections out of a file the renderer wrote, by name, without parsing the rest:
/// the text from a section's header up to the next header, parsed with <see cref="DialplanParser"/> (which numbers
/// priorities per context, so a section read alone means what it means in the file) and given the file's line numbers.
/// Only for files of this renderer: one header per context, no block comment spanning a header.</summary>
public static class ContextSections
{
    public static IReadOnlyList<DialplanContext> Read(TextReader reader, IReadOnlySet<string> names)
    {
        var found = new List<DialplanContext>();
        var text = new StringBuilder();
        var start = 0; // the file's line number of the kept section's header
        var lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length > 1 && line[0] == '[')
            {
                Flush(text, start, found);
                var close = line.IndexOf(']');
                start = close > 1 && names.Contains(line[1..close]) ? lineNumber : 0;
            }
            if (start > 0) text.Append(line).Append('\n');
        }
        Flush(text, start, found);
        return found;
    }

    private static void Flush(StringBuilder text, int start, List<DialplanContext> found)
    {
        if (start == 0 || text.Length == 0) return;
        var shift = start - 1;
        foreach (var c in DialplanParser.Parse(text.ToString()).Contexts)
            found.Add(c with
            {
                LineNumber = c.LineNumber + shift,
                Entries = [.. c.Entries.Select(e => e with { LineNumber = e.LineNumber + shift })],
                Includes = [.. c.Includes.Select(i => i with { LineNumber = i.LineNumber + shift })],
            });
        text.Clear();
    }
}
