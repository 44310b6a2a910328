namespace Did.Dialplan;

/// <summary>Writes the body of queues_custom.conf: one section per queue, named like its Queue() argument.
/// Members are Local channels into the tenant's members context, which only rings the phone: a member whose phone is
/// unreachable or does not answer must not send the caller to that member's voicemail (VoiceMail answers the member's
/// leg, and the queue would take that as the member answering). <c>/n</c> keeps the Local channel in the call, so the
/// queue keeps dealing with the member's leg it rang.
/// <para>A queue that some route enters with a failover after it gives up at once when no member can take the call
/// (<c>joinempty</c>/<c>leavewhenempty</c>), so the failover runs instead of a wait in an empty queue. Its members then
/// carry their phone as state interface: a Local channel's own state is "not in use" whether or not the phone is
/// registered, so without it app_queue could not tell that nobody can answer. Other queues keep waiting callers, as
/// before: with nothing after the queue, giving up would only hang up on the caller.</para></summary>
internal static class QueuesFile
{
    /// <summary>The sections <see cref="Write"/> writes, in order: known before the body is, for the header's count.</summary>
    public static List<string> Sections(DialplanModel model) => [.. model.Tenants.SelectMany(t => t.Queues).Select(q => q.Section)];

    public static void Write(DialplanModel model, TextBuffer o)
    {
        o.Append("\n; timeout = how long each member rings (the queue's member_ring_seconds) before the queue tries the next member.\n");
        o.Append("; Members ring through <slug>_members: the phone only, never voicemail or call forwarding.\n");
        var stateHead = ",0,," + model.Settings.EndpointTechnology + "/";
        foreach (var tenant in model.Tenants)
        {
            var memberTail = "@" + tenant.MembersContext + "/n";
            foreach (var queue in tenant.Queues)
            {
                o.Append("\n["); o.Append(queue.Section); o.Append("]\nstrategy = ");
                o.Append(StrategyName(queue.Source.Strategy));
                o.Append("\ntimeout = ");
                o.Append(queue.Source.MemberRingSeconds);
                o.Append('\n');
                if (queue.ReturnsWhenEmpty) o.Append("joinempty = " + GiveUpWhen + "\nleavewhenempty = " + GiveUpWhen + "\n");
                foreach (var ext in queue.MemberExtensions)
                {
                    o.Append("member => Local/"); o.Append(ext); o.Append(memberTail);
                    if (queue.ReturnsWhenEmpty)
                    {
                        o.Append(stateHead);
                        foreach (var piece in tenant.Endpoint) o.Append(piece ?? ext);
                    }
                    o.Append('\n');
                }
            }
        }
    }

    /// <summary>The member states that count as "cannot take the call" for joinempty/leavewhenempty (app_queue's "strict").</summary>
    public const string GiveUpWhen = "paused,penalty,invalid,unavailable";

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
