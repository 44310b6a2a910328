namespace Did.Dialplan;

/// <summary>One extension (or caller-ID variant of one) of a context as Asterisk installs it: the first entry of each
/// priority and the first of each label win, as pbx_config keeps the first and drops a duplicate.</summary>
internal sealed class WalkExtension(string name, string? callerId)
{
    private readonly Dictionary<int, DialplanEntry> _priorities = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);

    public string Name { get; } = name;
    public string? CallerId { get; } = callerId;
    public bool IsPattern => ExtensionPattern.IsPattern(Name);

    public void Add(DialplanEntry e)
    {
        if (!_priorities.TryAdd(e.Priority, e)) return;
        if (e.Label is { } label) _labels.TryAdd(label, e.Priority);
    }

    public DialplanEntry? At(int priority) => _priorities.GetValueOrDefault(priority);

    public int? Label(string label) => _labels.TryGetValue(label, out var p) ? p : null;

    /// <summary>pbx.c matchcid: the plain extension takes any call; a caller-ID match takes only a caller ID it matches
    /// (an empty one matches none).</summary>
    public bool TakesCaller(string? callerId) =>
        CallerId is null || !string.IsNullOrEmpty(callerId) && ExtensionPattern.Matches(CallerId, callerId);

    // Variants of one extension in the order Asterisk tries them: an exact caller ID, then a caller-ID pattern, then none.
    public int VariantRank => CallerId is null ? 2 : ExtensionPattern.IsPattern(CallerId) ? 1 : 0;
}

/// <summary>A context as a call meets it: an extension is found as Asterisk finds one, a literal name first (its variants
/// in <see cref="WalkExtension.VariantRank"/> order), then the first '_' pattern in Asterisk's order
/// (<see cref="ExtensionPattern.Compare"/>) that matches the number and takes the caller.</summary>
internal sealed class WalkContext
{
    private readonly Dictionary<string, List<WalkExtension>> _literals = new(StringComparer.Ordinal);
    private readonly List<WalkExtension> _patterns = [];

    public WalkContext(string name, IEnumerable<DialplanContext> sections)
    {
        Name = name;
        var all = new Dictionary<(string, string?), WalkExtension>();
        foreach (var section in sections)
            foreach (var e in section.Entries)
            {
                if (e.Priority < 1) continue; // hints run nothing
                if (!all.TryGetValue((e.Extension, e.CallerId), out var ext))
                {
                    all[(e.Extension, e.CallerId)] = ext = new WalkExtension(e.Extension, e.CallerId);
                    if (ext.IsPattern) _patterns.Add(ext);
                    else if (_literals.TryGetValue(e.Extension, out var variants)) variants.Add(ext);
                    else _literals[e.Extension] = [ext];
                }
                ext.Add(e);
            }
        foreach (var variants in _literals.Values) variants.Sort((a, b) => a.VariantRank.CompareTo(b.VariantRank));
        _patterns.Sort((a, b) =>
        {
            var byPattern = ExtensionPattern.Compare(a.Name, b.Name);
            return byPattern != 0 ? byPattern : a.VariantRank.CompareTo(b.VariantRank);
        });
    }

    public string Name { get; }

    public WalkExtension? Find(string exten, string? callerId)
    {
        if (_literals.TryGetValue(exten, out var variants))
            foreach (var v in variants)
                if (v.TakesCaller(callerId)) return v;
        foreach (var p in _patterns)
            if (ExtensionPattern.Matches(p.Name, exten) && p.TakesCaller(callerId)) return p;
        return null;
    }
}
