namespace Did.Dialplan;

/// <summary>The part of the rendered files that belongs to one tenant: its own contexts (users, IVRs, queues, schedules)
/// and queue sections, and in the number shards, which all tenants share, the lines of its own numbers (a route with rules
/// writes each of its lines as <c>exten =&gt; number,...</c>, so each line says whose it is). Everything else
/// (the trunk's entry context, the fallbacks, other tenants' lines) is not its to see. Built from the snapshot the
/// files were rendered from, with the names <see cref="ContextNames"/> gives, so it follows the naming scheme.</summary>
public sealed class TenantDialplanView
{
    private readonly HashSet<string> _sections;
    private readonly HashSet<string> _numbers;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _numberLookup;

    private TenantDialplanView(HashSet<string> sections, HashSet<string> numbers)
    {
        _sections = sections;
        _numbers = numbers;
        _numberLookup = numbers.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Numbers of this tenant that the render routes.</summary>
    public int NumbersRouted => _numbers.Count;

    /// <summary>The view of <paramref name="tenantId"/>; a tenant the snapshot does not hold sees nothing.</summary>
    public static TenantDialplanView For(DialplanSnapshot snapshot, Guid tenantId)
    {
        var sections = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        if (snapshot.Tenants.FirstOrDefault(t => t.Id == tenantId) is not { } tenant) return new(sections, numbers);
        sections.Add(ContextNames.Tenant(tenant.Slug));
        sections.Add(ContextNames.Members(tenant.Slug));
        foreach (var ivr in tenant.Ivrs) sections.Add(ContextNames.Ivr(tenant.Slug, ivr.Name));
        foreach (var queue in tenant.Queues)
        {
            sections.Add(ContextNames.Queue(tenant.Slug, queue.Name));
            sections.Add(ContextNames.QueueSection(tenant.Slug, queue.Name));
        }
        foreach (var schedule in tenant.Schedules ?? []) sections.Add(ContextNames.Schedule(tenant.Slug, schedule.Name));
        foreach (var number in snapshot.Numbers)
            if (number.TenantId == tenantId) numbers.Add(number.Number);
        return new(sections, numbers);
    }

    /// <summary>Whether a line of a section (of either file) is this tenant's: a <see cref="DiffLineFilter"/>. A blank line
    /// is nobody's: the one that separates sections belongs to the section before it, so another tenant's new section
    /// would otherwise show up as a change to this one.</summary>
    public bool Shows(string section, string line) =>
        !string.IsNullOrWhiteSpace(line)
        && (_sections.Contains(section)
            || (ContextNames.IsShard(section) && _numberLookup.Contains(ExtensionOf(line))));

    /// <summary>The extension of an <c>exten =&gt; ext,prio,App()</c> line, read as the scanner reads it; "" for any other line.</summary>
    private static ReadOnlySpan<char> ExtensionOf(ReadOnlySpan<char> line)
    {
        line = line.Trim();
        var eq = line.IndexOf('=');
        if (eq < 0 || !line[..eq].Trim().Equals("exten", StringComparison.OrdinalIgnoreCase)) return [];
        var value = (eq + 1 < line.Length && line[eq + 1] == '>' ? line[(eq + 2)..] : line[(eq + 1)..]).Trim();
        var comma = value.IndexOf(',');
        var extension = comma < 0 ? value : value[..comma];
        var callerId = extension.IndexOf('/');
        return (callerId < 0 ? extension : extension[..callerId]).Trim();
    }
}
