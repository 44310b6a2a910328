namespace Did.Features.Apply;

/// <summary>Nodes to put back as job <see cref="JobId"/> found them.</summary>
public sealed record RollbackPlan(Guid JobId, IReadOnlyList<AsteriskNode> Nodes);

/// <summary>Puts nodes back as an apply found them: each node's live files from what the job left in that node's own
/// backup folder, then a reload of every node that has AMI, so Asterisk runs the restored files. Every node is tried
/// even when one fails; the failures are reported together at the end. Used when a step after the first write fails,
/// and by recovery for a job that a stopped process left RUNNING. Runs to its end whatever the caller's token says.</summary>
public static class ApplyRollback
{
    public static async Task<RolledBack> RunAsync(RollbackPlan plan)
    {
        var restored = new List<string>();
        var failures = new List<string>();
        foreach (var node in plan.Nodes)
        {
            try
            {
                foreach (var done in await NodeFiles.RestoreAsync(node, plan.JobId, CancellationToken.None))
                    restored.Add($"{node.Name}: {done}");
            }
            catch (Exception e)
            {
                failures.Add($"{node.Name}: {ApplyStepLog.Describe(e)}");
            }
        }
        var reloaded = new List<string>();
        foreach (var node in plan.Nodes.Where(n => n.Ami is not null))
        {
            try
            {
                await NodeSwitch.ReloadAsync(node, queuesChanged: true, CancellationToken.None);
                reloaded.Add(node.Name);
            }
            catch (Exception e)
            {
                failures.Add($"{node.Name}: {ApplyStepLog.Describe(e)}");
            }
        }
        if (failures.Count > 0)
            throw new ApplyStepException($"Rolling back failed on {string.Join("; ", failures)}");
        return new RolledBack($"Restored {restored.Count} file(s) from backup ({string.Join("; ", restored)})" +
                              (reloaded.Count > 0 ? "; reloaded " + string.Join(", ", reloaded) : "") + ".");
    }
}
