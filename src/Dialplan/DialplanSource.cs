namespace Did.Dialplan;

/// <summary>Where a walk reads contexts from: every <c>[name]</c> section of that name, in file order (Asterisk merges
/// them), as <see cref="DialplanParser"/> reads them; empty when the file has none.</summary>
public interface IDialplanSource
{
    IReadOnlyList<DialplanContext> Sections(string context);

    /// <summary>The same sections with only the entries a call to <paramref name="extension"/> can reach: that extension
    /// (each caller-ID variant) and every '_' pattern. A source that reads a large file may skip the rest; the walk finds
    /// the same extension either way.</summary>
    IReadOnlyList<DialplanContext> Sections(string context, string extension) => Sections(context);
}

/// <summary>A whole dialplan text parsed at once: for tests and small files.</summary>
public sealed class DialplanTextSource : IDialplanSource
{
    private readonly ILookup<string, DialplanContext> _contexts;

    public DialplanTextSource(string text) =>
        _contexts = DialplanParser.ReadContexts(new StringReader(text)).ToLookup(c => c.Name, StringComparer.Ordinal);

    public IReadOnlyList<DialplanContext> Sections(string context) => [.. _contexts[context]];
}

/// <summary>What a walk needs from queues_custom.conf: the queues that give up when no member can take the call
/// (<c>joinempty</c> set to anything but "yes"). app_queue finds queues by name ignoring case.</summary>
public sealed class QueueSettings
{
    public static readonly QueueSettings None = new(new HashSet<string>(StringComparer.OrdinalIgnoreCase));

    private QueueSettings(HashSet<string> giveUp) => GiveUpWhenEmpty = giveUp;

    public IReadOnlySet<string> GiveUpWhenEmpty { get; }

    /// <summary>Reads the file as app_queue's config loader does: ';' starts a comment, <c>[section]</c>, <c>key = value</c>.</summary>
    public static QueueSettings Read(TextReader reader)
    {
        var giveUp = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? section = null;
        while (reader.ReadLine() is { } raw)
        {
            var semicolon = raw.IndexOf(';');
            var line = (semicolon < 0 ? raw : raw[..semicolon]).Trim();
            if (line.Length == 0) continue;
            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0) break;
                section = line[1..close].Trim();
                continue;
            }
            var eq = line.IndexOf('=');
            if (section is null || eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].TrimStart('>').Trim();
            if (!key.Equals("joinempty", StringComparison.OrdinalIgnoreCase)) continue;
            if (value.Length == 0 || value.Equals("yes", StringComparison.OrdinalIgnoreCase)) giveUp.Remove(section);
            else giveUp.Add(section);
        }
        return new QueueSettings(giveUp);
    }
}
