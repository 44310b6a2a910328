using System.Text;

namespace Did.Tests.Fakes;

/// <summary>A priority as installed. <see cref="Priority"/> is <see cref="Hint"/> for a hint.</summary>
public sealed record FakePriority(int Priority, string Application, string AppData)
{
    public const int Hint = -1;
}

/// <summary>An extension (literal or <c>_</c>pattern) and its priorities in order.</summary>
public sealed class FakeExtension(string name)
{
    public string Name { get; } = name;
    public bool IsPattern => Name.StartsWith('_');
    public List<FakePriority> Priorities { get; } = [];
}

/// <summary>An installed context: extensions in Asterisk's order (literals first, then patterns), then includes.</summary>
public sealed class FakeContext(string name)
{
    private byte[][]? _rendered;

    public string Name { get; } = name;
    public List<FakeExtension> Extensions { get; } = [];
    public List<string> Includes { get; } = [];

    internal void Sort() => Extensions.Sort((a, b) => FakeExtensionPattern.Compare(a.Name, b.Name));

    /// <summary>The <c>ListDialplan</c> event bodies after the ActionID line, one array per extension, rendered once.</summary>
    internal byte[][] RenderedExtensions => _rendered ??= [.. Extensions.Select(Render)];

    private byte[] Render(FakeExtension e)
    {
        var sb = new StringBuilder(160 * e.Priorities.Count);
        foreach (var p in e.Priorities)
        {
            sb.Append("Event: ListDialplan\r\n\u0001Context: ").Append(Name).Append("\r\nExtension: ").Append(e.Name);
            if (p.Priority == FakePriority.Hint)
                sb.Append("\r\nPriority: hint\r\nApplication: ").Append(p.Application);
            else
                sb.Append("\r\nPriority: ").Append(p.Priority).Append("\r\nApplication: ").Append(p.Application)
                    .Append("\r\nAppData: ").Append(p.AppData);
            sb.Append("\r\nRegistrar: pbx_config\r\n\r\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

/// <summary>What the fake has installed: an immutable snapshot, replaced whole by a reload.</summary>
public sealed class FakeDialplan(IReadOnlyDictionary<string, FakeContext> contexts)
{
    public static readonly FakeDialplan Empty = new(new Dictionary<string, FakeContext>());

    public IReadOnlyDictionary<string, FakeContext> Contexts { get; } = contexts;

    public FakeDialplan Without(IEnumerable<string> dropped)
    {
        var drop = dropped.ToHashSet(StringComparer.Ordinal);
        return new(Contexts.Where(c => !drop.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal));
    }
}
