namespace Did.Tests.Fakes;

/// <summary>A queue member as app_queue reads <c>member => interface[,penalty[,membername[,state_interface]]]</c>.</summary>
public sealed record FakeQueueMember(string Interface, string? Penalty, string? MemberName, string? StateInterface);

/// <summary>A queues.conf section as app_queue installs it: its settings (last one wins) and its static members.</summary>
public sealed record FakeQueue(string Name, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<FakeQueueMember> Members);

/// <summary>Reads <c>queues_custom.conf</c> the way Asterisk's config parser and app_queue take it: <c>;</c> starts a
/// comment, <c>[general]</c> holds global settings and is no queue, a section name keeps only its first 79 characters
/// (config.c keeps category names in an 80-byte buffer, so two long names that differ later become one queue), and queue
/// names are found case-insensitively (app_queue compares them with strcasecmp), so a second section of the same
/// name adds to the first. Its own rules, not the service's renderer: the fake stays an independent witness.</summary>
public static class FakeQueuesParser
{
    public const int MaxNameLength = 79;

    public static IReadOnlyDictionary<string, FakeQueue> Parse(string text)
    {
        var settings = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        var members = new Dictionary<string, List<FakeQueueMember>>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var semicolon = raw.IndexOf(';');
            var line = (semicolon < 0 ? raw : raw[..semicolon]).Trim();
            if (line.Length == 0) continue;
            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0) break;
                var name = line[1..close].Trim();
                if (name.Length > MaxNameLength) name = name[..MaxNameLength];
                current = name.Equals("general", StringComparison.OrdinalIgnoreCase) ? null : name;
                if (current is not null && names.TryAdd(current, current))
                {
                    settings[current] = new(StringComparer.OrdinalIgnoreCase);
                    members[current] = [];
                }
                continue;
            }
            if (current is null) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].TrimStart('>').Trim();
            if (key.Equals("member", StringComparison.OrdinalIgnoreCase))
            {
                var parts = value.Split(',').Select(p => p.Trim()).ToArray();
                members[current].Add(new FakeQueueMember(parts[0], Part(parts, 1), Part(parts, 2), Part(parts, 3)));
            }
            else settings[current][key] = value;
        }
        return names.Values.ToDictionary(n => n, n => new FakeQueue(n, settings[n], members[n]), StringComparer.OrdinalIgnoreCase);
    }

    private static string? Part(string[] parts, int i) => i < parts.Length && parts[i].Length > 0 ? parts[i] : null;
}
