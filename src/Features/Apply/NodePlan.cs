using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>How a node gets the new dialplan: a live delta (the changes made over AMI, no reload) or a reload of the
/// whole file.</summary>
public enum NodeUpdate { Delta, Reload }

/// <summary>What one node's deployment will do and then check: <see cref="Changes"/> for a delta; the contexts listed in
/// full after it (<see cref="Verify"/>), and those only checked to exist (<see cref="Probe"/>).</summary>
public sealed record NodePlan(AsteriskNode Node, NodeUpdate How, string Why, IReadOnlyList<DialplanChange> Changes,
    IReadOnlyList<ContextDigest> Verify, IReadOnlyList<string> Probe) : IApplyStepResult
{
    public string Summary => How == NodeUpdate.Delta
        ? $"Live delta: {Changes.Count} change(s) in {Verify.Count} context(s); {Why}."
        : $"Reload: {Why}; then {Verify.Count} context(s) listed in full{(Probe.Count > 0 ? $", {Probe.Count} checked to exist" : "")}.";

    /// <summary>Chooses between a live delta and a reload, and what to verify after it. A delta only from a state this
    /// process deployed and verified (<see cref="NodeLiveState"/>), with the same contexts, within
    /// <see cref="ApplyOptions.LiveDeltaMaxChanges"/>, and made of changes AMI can make exactly
    /// (<see cref="DialplanDelta"/>). Reads only the changed contexts' sections of the live and the rendered file.</summary>
    public static NodePlan For(AsteriskNode node, string renderedExtensions, IReadOnlyList<ContextDigest> rendered, bool extensionsChanged,
        ApplyOptions options)
    {
        var known = node.Live.KnownFor(node.ExtensionsPath);
        if (known is null)
            return new(node, NodeUpdate.Reload, "what the node runs is not known to this process (first apply since start, or the last one did not finish)",
                [], rendered, []);
        if (!extensionsChanged) return new(node, NodeUpdate.Delta, "the dialplan is unchanged", [], [], []);

        var changed = rendered.Where(d => !known.Contexts.TryGetValue(d.Name, out var was) || was.Entries != d.Entries || was.Sum != d.Sum).ToList();
        var renderedNames = rendered.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var added = changed.Count(d => !known.Contexts.ContainsKey(d.Name));
        var removed = known.Contexts.Keys.Count(n => !renderedNames.Contains(n));
        if (added > 0 || removed > 0) return Reload(node, $"{added} context(s) added, {removed} removed", changed, rendered, options);
        if (options.LiveDeltaMaxChanges == 0) return Reload(node, "live deltas are off (Apply:LiveDeltaMaxChanges = 0)", changed, rendered, options);
        if (changed.Count == 0) return new(node, NodeUpdate.Delta, "no context changed", [], [], []);

        var names = changed.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var delta = DialplanDelta.Between(NodeFiles.ReadContexts(node.ExtensionsPath, names), NodeFiles.ReadContexts(renderedExtensions, names),
            options.LiveDeltaMaxChanges);
        if (delta.Unsafe is { } why) return Reload(node, why, changed, rendered, options);
        return new(node, NodeUpdate.Delta, $"{changed.Count} of {rendered.Count} contexts changed", delta.Changes, changed, []);
    }

    /// <summary>A reload of what <paramref name="delta"/> would have made live, verified as after a reload from an
    /// unknown state: everything.</summary>
    public static NodePlan ReloadInstead(NodePlan delta, IReadOnlyList<ContextDigest> rendered) =>
        delta with { How = NodeUpdate.Reload, Why = "the AMI user may not change the dialplan live", Changes = [], Verify = rendered, Probe = [] };

    /// <summary>After a reload from a known state, a small dialplan is listed whole; a big one only where it changed,
    /// every other context checked to exist (a reload that dropped a context, or everything after an unclosed '[').</summary>
    private static NodePlan Reload(AsteriskNode node, string why, List<ContextDigest> changed, IReadOnlyList<ContextDigest> rendered, ApplyOptions options)
    {
        var priorities = rendered.Sum(d => (long)d.Entries);
        if (priorities <= options.VerifyAllUpToPriorities) return new(node, NodeUpdate.Reload, why, [], rendered, []);
        var listed = changed.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        return new(node, NodeUpdate.Reload, why, [], changed, [.. rendered.Select(d => d.Name).Where(n => !listed.Contains(n))]);
    }
}
