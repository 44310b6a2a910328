namespace Did.Dialplan;

public enum DialplanChangeKind { Remove, Add }

/// <summary>One priority to remove from, or add to, the running dialplan. <see cref="Extension"/> is as written in the
/// file, caller-ID match included (<c>+15551230003/_+44.</c>); <see cref="Replace"/> adds over a priority that exists.</summary>
public sealed record DialplanChange(DialplanChangeKind Kind, string Context, string Extension, int Priority, string Application = "",
    string AppData = "", bool Replace = false);

/// <summary>What it takes to turn the contexts of one file into those of another without a reload: the changes, in the
/// order they must be made, and the contexts they touch; or <see cref="Unsafe"/>, why only a reload will do.</summary>
public sealed record DialplanDelta(IReadOnlyList<DialplanChange> Changes, IReadOnlyList<string> Touched, string? Unsafe)
{
    /// <summary>Compares contexts of the same names, before and after (each name at most once on each side; a name on
    /// one side only is a context added or removed, which only a reload makes). The order keeps a real Asterisk safe
    /// (shared/asterisk README, "A crash to design around"): every removal names its exact variant and priority; caller-ID
    /// variants are removed before plain extensions; a plain extension never loses a priority while a variant of it
    /// exists; additions come last, plain extensions before their variants. A label or a hint cannot be made over AMI,
    /// so an extension that has or had one is <see cref="Unsafe"/>, as is a change of includes. Pure.</summary>
    public static DialplanDelta Between(IReadOnlyList<DialplanContext> before, IReadOnlyList<DialplanContext> after, int maxChanges)
    {
        var old = before.ToDictionary(c => c.Name, StringComparer.Ordinal);
        if (after.Count != before.Count || after.Any(c => !old.ContainsKey(c.Name)))
            return Refuse("contexts were added or removed");
        var removeVariants = new List<DialplanChange>();
        var removePlain = new List<DialplanChange>();
        var addPlain = new List<DialplanChange>();
        var addVariants = new List<DialplanChange>();
        var touched = new List<string>();
        foreach (var now in after)
        {
            var was = old[now.Name];
            if (!now.Includes.Select(i => i.Context).SequenceEqual(was.Includes.Select(i => i.Context), StringComparer.Ordinal))
                return Refuse($"the includes of '{now.Name}' changed");
            var wasByName = ByVariant(was);
            var nowByName = ByVariant(now);
            var numbersWithVariants = now.Entries.Where(e => e.CallerId is not null).Select(e => e.Extension).ToHashSet(StringComparer.Ordinal);
            var changed = false;
            foreach (var name in wasByName.Keys.Union(nowByName.Keys).Order(StringComparer.Ordinal))
            {
                var w = wasByName.GetValueOrDefault(name) ?? [];
                var n = nowByName.GetValueOrDefault(name) ?? [];
                if (Same(w, n)) continue;
                changed = true;
                if (w.Concat(n).FirstOrDefault(e => e.Label is not null || e.Priority < 1) is { } special)
                    return Refuse($"'{name}' in '{now.Name}' has a {(special.Label is not null ? "label" : "hint")}, which AMI cannot set");
                var plain = w.Concat(n).First().CallerId is null;
                var priorities = n.ToDictionary(e => e.Priority);
                foreach (var gone in w.Where(e => !priorities.ContainsKey(e.Priority)).OrderByDescending(e => e.Priority))
                {
                    if (plain && numbersWithVariants.Contains(gone.Extension))
                        return Refuse($"'{gone.Extension}' in '{now.Name}' would lose a priority while a caller-ID variant of it exists");
                    (plain ? removePlain : removeVariants).Add(new DialplanChange(DialplanChangeKind.Remove, now.Name, name, gone.Priority));
                }
                var existing = w.ToDictionary(e => e.Priority);
                foreach (var e in n)
                {
                    var replace = existing.TryGetValue(e.Priority, out var prior);
                    if (replace && prior!.Application == e.Application && prior.AppData == e.AppData) continue;
                    (plain ? addPlain : addVariants).Add(new DialplanChange(DialplanChangeKind.Add, now.Name, name, e.Priority, e.Application, e.AppData, replace));
                }
                if (removeVariants.Count + removePlain.Count + addPlain.Count + addVariants.Count > maxChanges)
                    return Refuse($"more than {maxChanges} changes (Apply:LiveDeltaMaxChanges)");
            }
            if (changed) touched.Add(now.Name);
        }
        return new DialplanDelta([.. removeVariants, .. removePlain, .. addPlain, .. addVariants], touched, null);
    }

    private static DialplanDelta Refuse(string why) => new([], [], why);

    /// <summary>Each variant's priorities, by its name as written (<c>ext</c> or <c>ext/cid</c>), in priority order.</summary>
    private static Dictionary<string, List<DialplanEntry>> ByVariant(DialplanContext context)
    {
        var byName = new Dictionary<string, List<DialplanEntry>>(StringComparer.Ordinal);
        foreach (var e in context.Entries)
        {
            var name = e.CallerId is null ? e.Extension : e.Extension + "/" + e.CallerId;
            if (!byName.TryGetValue(name, out var list)) byName[name] = list = [];
            list.Add(e);
        }
        foreach (var list in byName.Values) list.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        return byName;
    }

    private static bool Same(List<DialplanEntry> a, List<DialplanEntry> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (a[i].Priority != b[i].Priority || a[i].Label != b[i].Label || a[i].Application != b[i].Application || a[i].AppData != b[i].AppData)
                return false;
        return true;
    }
}
