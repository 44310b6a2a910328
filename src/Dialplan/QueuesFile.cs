namespace Did.Dialplan;

/// <summary>Writes the body of queues_custom.conf: one section per queue, named like its Queue() argument.
/// Members are Local channels into the tenant's context, so a queue call rings the user's phone the same
/// way a direct call does.</summary>
internal static class QueuesFile
{
    public static List<string> Write(DialplanModel model, TextBuffer o)
    {
        var sections = new List<string>();
        foreach (var tenant in model.Tenants)
        {
            var memberTail = "@" + tenant.Context + "\n";
            foreach (var queue in tenant.Queues)
            {
                sections.Add(queue.Section);
                o.Append("\n["); o.Append(queue.Section); o.Append("]\nstrategy = ");
                o.Append(StrategyName(queue.Source.Strategy));
                o.Append("\ntimeout = ");
                o.Append(queue.Source.MemberRingSeconds);
                o.Append('\n');
                foreach (var ext in queue.MemberExtensions)
                {
                    o.Append("member => Local/"); o.Append(ext); o.Append(memberTail);
                }
            }
        }
        return sections;
    }

    /// <summary>app_queue's spelling of a strategy (lowercase).</summary>
    public static string StrategyName(QueueStrategy s) => s switch
    {
        QueueStrategy.Ringall => "ringall",
        QueueStrategy.Leastrecent => "leastrecent",
        QueueStrategy.Fewestcalls => "fewestcalls",
        QueueStrategy.Random => "random",
        QueueStrategy.Rrmemory => "rrmemory",
        QueueStrategy.Linear => "linear",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, "not a queue strategy"),
    };
}
