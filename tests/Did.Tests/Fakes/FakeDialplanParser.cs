using System.Globalization;
using System.Text;

namespace Did.Tests.Fakes;

/// <summary>Reads <c>extensions_custom.conf</c> the way Asterisk's pbx_config installs it, including its quirks
/// (recorded in transcripts 20 and 21): an unclosed <c>[context</c> silently drops that line and everything after it; a
/// duplicate extension+priority keeps the first; a missing <c>)</c> is tolerated (the application gets everything
/// after <c>(</c>); <c>;</c> starts a comment. Priorities: numbers, <c>n</c> (previous + 1) and <c>hint</c>; lines
/// with other priorities are ignored, as are <c>[general]</c>/<c>[globals]</c> and <c>#</c> directives. A context name
/// keeps only its first 79 characters (from Asterisk's source, not the recordings: config.c holds a category name in an
/// 80-byte buffer), so two long names that differ only later are installed as one context.
/// Works on spans of the text (a string only for what is installed): a reload of a 1.6-million-line file must not
/// spend more than the switch would. Its own rules, not the service's parser: the fake stays an independent witness.</summary>
public static class FakeDialplanParser
{
    public const int MaxContextLength = 79;

    public static FakeDialplan Parse(string text)
    {
        var contexts = new Dictionary<string, FakeContext>(StringComparer.Ordinal);
        var extensions = new Dictionary<FakeContext, Dictionary<string, FakeExtension>>();
        var applications = new Dictionary<string, string>(StringComparer.Ordinal); // a handful of names, one string each
        FakeContext? current = null;
        Dictionary<string, FakeExtension>? currentExtensions = null;
        string? lastExten = null;
        var lastPriority = 0;
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            // Lines end at '\n' only (a '\r' before it is trimmed with the other white space).
            var lf = rest.IndexOf('\n');
            var raw = lf < 0 ? rest : rest[..lf];
            rest = lf < 0 ? [] : rest[(lf + 1)..];
            var line = StripComment(raw).Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0) break;
                var name = line[1..close].Trim();
                var context = (name.Length > MaxContextLength ? name[..MaxContextLength] : name).ToString();
                lastExten = null;
                lastPriority = 0;
                current = context is "general" or "globals" ? null
                    : contexts.TryGetValue(context, out var existing) ? existing : contexts[context] = new FakeContext(context);
                currentExtensions = current is null ? null
                    : extensions.TryGetValue(current, out var known) ? known : extensions[current] = new(StringComparer.Ordinal);
                continue;
            }
            if (current is null) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = Key(line[..eq].Trim());
            var value = line[(eq + 1)..].TrimStart('>').Trim();
            ReadOnlySpan<char> exten, after;
            if (key == "include")
            {
                current.Includes.Add(value.ToString());
                continue;
            }
            if (key == "exten")
            {
                var comma = value.IndexOf(',');
                if (comma < 0) continue;
                exten = value[..comma].Trim();
                after = value[(comma + 1)..];
            }
            else if (key == "same")
            {
                if (lastExten is null) continue;
                exten = lastExten;
                after = value;
            }
            else continue;
            var prioEnd = after.IndexOf(',');
            var prioText = (prioEnd < 0 ? after : after[..prioEnd]).Trim();
            var app = prioEnd < 0 ? [] : after[(prioEnd + 1)..].Trim();
            var labelStart = prioText.IndexOf('(');
            string? label = null;
            if (labelStart >= 0)
            {
                var labelEnd = prioText.IndexOf(')');
                if (labelEnd > labelStart) label = prioText[(labelStart + 1)..labelEnd].ToString();
                prioText = prioText[..labelStart];
            }
            int priority;
            if (prioText is "hint") priority = FakePriority.Hint;
            else if (prioText is "n") priority = lastPriority + 1;
            else if (!int.TryParse(prioText, NumberStyles.Integer, CultureInfo.CurrentCulture, out priority) || priority < 1) continue;
            var lookup = currentExtensions!.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(exten, out var extension))
            {
                extension = new FakeExtension(exten.ToString());
                currentExtensions[extension.Name] = extension;
                current.Extensions.Add(extension);
            }
            lastExten = extension.Name;
            if (priority != FakePriority.Hint) lastPriority = priority;
            if (Has(extension, priority)) continue;
            var application = SplitApp(app, out var data);
            extension.Priorities.Add(new FakePriority(priority, Pooled(applications, application), data.ToString()) { Label = label });
        }
        foreach (var context in contexts.Values)
        {
            context.Sort();
            foreach (var e in context.Extensions) e.Priorities.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        }
        return new FakeDialplan(contexts);
    }

    // Keys are compared lower-cased; an ASCII key (every real one) without making a string.
    private static string Key(ReadOnlySpan<char> key)
    {
        if (!Ascii.IsValid(key)) return key.ToString().ToLowerInvariant();
        foreach (var known in (ReadOnlySpan<string>)["include", "exten", "same"])
            if (key.Equals(known, StringComparison.OrdinalIgnoreCase)) return known;
        return "";
    }

    private static bool Has(FakeExtension extension, int priority)
    {
        foreach (var p in extension.Priorities)
            if (p.Priority == priority) return true;
        return false;
    }

    private static string Pooled(Dictionary<string, string> pool, ReadOnlySpan<char> s)
    {
        var lookup = pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(s, out var pooled)) return pooled;
        var created = s.ToString();
        pool[created] = created;
        return created;
    }

    private static ReadOnlySpan<char> SplitApp(ReadOnlySpan<char> app, out ReadOnlySpan<char> data)
    {
        var open = app.IndexOf('(');
        if (open < 0)
        {
            data = [];
            return app;
        }
        data = app[(open + 1)..];
        if (data.EndsWith(')')) data = data[..^1];
        return app[..open].Trim();
    }

    private static ReadOnlySpan<char> StripComment(ReadOnlySpan<char> line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == ';' && (i == 0 || line[i - 1] != '\\')) return line[..i];
        }
        return line;
    }
}
