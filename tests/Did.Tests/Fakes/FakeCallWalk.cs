namespace Did.Tests.Fakes;

/// <summary>One priority a walked call ran.</summary>
public sealed record FakeStep(string Context, string Extension, int Priority, string Application, string AppData)
{
    public override string ToString() => $"({Context},{Extension},{Priority},{Application})";
}

/// <summary>Follows a call through an installed dialplan the way the recorded Asterisk ran it
/// (docs/asterisk.md, "Queue members that are Local channels"): <c>Dial</c> fails at once, because the
/// recorded switch had no SIP channel driver (DIALSTATUS=CHANUNAVAIL), and the next priority runs; <c>Goto</c> jumps;
/// <c>Hangup</c>, or a priority that does not exist, ends the call. An extension is found as Asterisk finds it: a literal
/// first, then the most specific matching pattern.</summary>
public static class FakeCallWalk
{
    /// <summary>Applications that answer the channel they run on. On a queue member's leg, any of them makes app_queue
    /// treat the member as having taken the call.</summary>
    public static readonly IReadOnlySet<string> Answering = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Answer", "VoiceMail", "VoiceMailMain", "Playback", "Background", "Queue", "MusicOnHold", "Record", "Echo", "Wait",
    };

    /// <summary>The leg app_queue starts for a member. A Local channel <c>Local/&lt;exten&gt;@&lt;context&gt;[/options]</c> runs
    /// the dialplan from priority 1; any other interface (PJSIP/...) rings a device and runs no dialplan.</summary>
    public static IReadOnlyList<FakeStep> MemberLeg(FakeDialplan plan, string memberInterface)
    {
        if (!memberInterface.StartsWith("Local/", StringComparison.OrdinalIgnoreCase)) return [];
        var target = memberInterface["Local/".Length..];
        var slash = target.IndexOf('/');
        if (slash >= 0) target = target[..slash];
        var at = target.IndexOf('@');
        return at < 0 ? Run(plan, "default", target, 1) : Run(plan, target[(at + 1)..], target[..at], 1);
    }

    /// <summary>Runs from (<paramref name="context"/>, <paramref name="extension"/>, <paramref name="priority"/>); at most
    /// <paramref name="maxSteps"/> priorities, so a Goto loop ends.</summary>
    public static IReadOnlyList<FakeStep> Run(FakeDialplan plan, string context, string extension, int priority, int maxSteps = 64)
    {
        var steps = new List<FakeStep>();
        while (steps.Count < maxSteps)
        {
            if (!plan.Contexts.TryGetValue(context, out var ctx)) break;
            var ext = ctx.Extensions.FirstOrDefault(e => FakeExtensionPattern.Matches(e.Name, extension));
            var p = ext?.Priorities.FirstOrDefault(x => x.Priority == priority);
            if (p is null) break;
            steps.Add(new FakeStep(context, extension, priority, p.Application, p.AppData));
            if (p.Application.Equals("Hangup", StringComparison.OrdinalIgnoreCase)) break;
            if (p.Application.Equals("Goto", StringComparison.OrdinalIgnoreCase))
            {
                var parts = p.AppData.Split(',');
                (context, extension, var next) = parts.Length switch
                {
                    1 => (context, extension, parts[0]),
                    2 => (context, parts[0], parts[1]),
                    _ => (parts[0], parts[1], parts[2]),
                };
                if (!int.TryParse(next, System.Globalization.CultureInfo.InvariantCulture, out priority)) break;
                continue;
            }
            priority++;
        }
        return steps;
    }

    /// <summary>The options argument of a Dial (its third), or "".</summary>
    public static string DialOptions(FakeStep dial)
    {
        var args = dial.AppData.Split(',');
        return args.Length > 2 ? args[2] : "";
    }
}
