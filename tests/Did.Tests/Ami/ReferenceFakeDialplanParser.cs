using Did.Tests.Fakes;

namespace Did.Tests.Ami;

/// <summary>The fake switch's parser as it was before its span-based rewrite, kept as the oracle the new one is compared
/// with. Reads <c>extensions_custom.conf</c> the way Asterisk's pbx_config installs it, including its quirks
/// (recorded in transcripts 20 and 21): an unclosed <c>[context</c> silently drops that line and everything after it; a
/// duplicate extension+priority keeps the first; a missing <c>)</c> is tolerated (the application gets everything
/// after <c>(</c>); <c>;</c> starts a comment. Priorities: numbers, <c>n</c> (previous + 1) and <c>hint</c>; lines
/// with other priorities are ignored, as are <c>[general]</c>/<c>[globals]</c> and <c>#</c> directives.</summary>
internal static class ReferenceFakeDialplanParser
{
    public static FakeDialplan Parse(string text)
    {
        var contexts = new Dictionary<string, FakeContext>(StringComparer.Ordinal);
        var extensions = new Dictionary<(string Context, string Exten), FakeExtension>();
        FakeContext? current = null;
        string? lastExten = null;
        var lastPriority = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0) break;
                var name = line[1..close].Trim();
                lastExten = null;
                lastPriority = 0;
                current = name is "general" or "globals" ? null
                    : contexts.TryGetValue(name, out var existing) ? existing : contexts[name] = new FakeContext(name);
                continue;
            }
            if (current is null) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim().ToLowerInvariant();
            var value = line[(eq + 1)..].TrimStart('>').Trim();
            string exten, rest;
            switch (key)
            {
                case "include":
                    current.Includes.Add(value);
                    continue;
                case "exten":
                    var comma = value.IndexOf(',');
                    if (comma < 0) continue;
                    exten = value[..comma].Trim();
                    rest = value[(comma + 1)..];
                    break;
                case "same":
                    if (lastExten is null) continue;
                    exten = lastExten;
                    rest = value;
                    break;
                default:
                    continue;
            }
            var prioEnd = rest.IndexOf(',');
            var prioText = (prioEnd < 0 ? rest : rest[..prioEnd]).Trim();
            var app = prioEnd < 0 ? "" : rest[(prioEnd + 1)..].Trim();
            var labelStart = prioText.IndexOf('(');
            if (labelStart >= 0) prioText = prioText[..labelStart];
            int priority;
            if (prioText == "hint") priority = FakePriority.Hint;
            else if (prioText == "n") priority = lastPriority + 1;
            else if (!int.TryParse(prioText, out priority) || priority < 1) continue;
            lastExten = exten;
            if (priority != FakePriority.Hint) lastPriority = priority;
            var (application, data) = SplitApp(app);
            if (!extensions.TryGetValue((current.Name, exten), out var extension))
            {
                extension = new FakeExtension(exten);
                extensions[(current.Name, exten)] = extension;
                current.Extensions.Add(extension);
            }
            if (extension.Priorities.Any(p => p.Priority == priority)) continue;
            extension.Priorities.Add(new FakePriority(priority, application, data));
        }
        foreach (var context in contexts.Values)
        {
            context.Sort();
            foreach (var e in context.Extensions) e.Priorities.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        }
        return new FakeDialplan(contexts);
    }

    private static (string App, string Data) SplitApp(string app)
    {
        var open = app.IndexOf('(');
        if (open < 0) return (app, "");
        var data = app[(open + 1)..];
        if (data.EndsWith(')')) data = data[..^1];
        return (app[..open].Trim(), data);
    }

    private static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == ';' && (i == 0 || line[i - 1] != '\\')) return line[..i];
        }
        return line;
    }
}
