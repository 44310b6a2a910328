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

    /// <summary>An inbound call to <paramref name="number"/> from <paramref name="callerId"/> at <paramref name="at"/>, from
    /// <c>[from-trunk-external]</c>, as the recorded switch runs what Did renders (README, "Routing by caller ID and by time"):
    /// the extension is the first variant that takes the caller (an exact caller-ID match, a caller-ID pattern, the plain
    /// extension); Dial fails at once (CHANUNAVAIL); Queue finds no member able to answer (their phones are as unreachable
    /// as any Dial), so it returns at once when the queue gives up when empty (<c>joinempty</c>), after its wait limit (its
    /// 5th argument) otherwise, and without either the caller waits there (the walk stops); WaitExten waits for a key (the
    /// walk stops). GotoIf, GotoIfTime, Gosub/Return and Set are evaluated for the forms Did writes, by this fake's own
    /// reading of them (<see cref="FakeRouteConditions"/>).</summary>
    public static IReadOnlyList<FakeStep> Call(FakeDialplan plan, IReadOnlyDictionary<string, FakeQueue> queues, string number, string? callerId,
        DateTimeOffset at, int maxSteps = 200)
    {
        var steps = new List<FakeStep>();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var returns = new Stack<(string, string, int)>();
        var (context, extension, priority) = ("from-trunk-external", number, 1);
        while (steps.Count < maxSteps)
        {
            if (!plan.Contexts.TryGetValue(context, out var ctx)) break;
            var ext = ctx.Extensions.FirstOrDefault(e => FakeExtensionPattern.Matches(e.Number, extension) && e.TakesCaller(callerId));
            var p = ext?.Priorities.FirstOrDefault(x => x.Priority == priority);
            if (p is null) break;
            steps.Add(new FakeStep(context, extension, priority, p.Application, p.AppData));
            var data = FakeRouteConditions.Substitute(p.AppData, extension, callerId, at, variables);
            string? target = null;
            switch (p.Application.ToLowerInvariant())
            {
                case "hangup" or "busy" or "congestion" or "waitexten":
                    return steps;
                case "goto":
                    target = data;
                    break;
                case "gotoif":
                {
                    var (condition, yes, no) = FakeRouteConditions.Branches(data);
                    target = FakeRouteConditions.IsTrue(condition) ? yes : no;
                    break;
                }
                case "gotoiftime":
                {
                    var (condition, yes, no) = FakeRouteConditions.Branches(data);
                    target = FakeRouteConditions.InTime(condition, at) ? yes : no;
                    break;
                }
                case "gosub":
                    returns.Push((context, extension, priority + 1));
                    target = data;
                    break;
                case "return":
                    if (!returns.TryPop(out var back)) return steps;
                    variables["GOSUB_RETVAL"] = data;
                    (context, extension, priority) = back;
                    continue;
                case "set":
                    variables[data[..data.IndexOf('=')]] = data[(data.IndexOf('=') + 1)..];
                    break;
                case "dial":
                    variables["DIALSTATUS"] = "CHANUNAVAIL";
                    break;
                case "queue":
                {
                    var args = data.Split(',');
                    var givesUp = queues.TryGetValue(args[0], out var queue) && queue.Settings.ContainsKey("joinempty");
                    if (!givesUp && !(args.Length > 4 && args[4].Length > 0)) return steps;
                    variables["QUEUESTATUS"] = givesUp ? "JOINEMPTY" : "TIMEOUT";
                    break;
                }
            }
            if (string.IsNullOrEmpty(target))
            {
                priority++;
                continue;
            }
            var parts = target.Split(',');
            (context, extension, var next) = parts.Length switch
            {
                1 => (context, extension, parts[0]),
                2 => (context, parts[0], parts[1]),
                _ => (parts[0], parts[1], parts[2]),
            };
            if (!int.TryParse(next, System.Globalization.CultureInfo.InvariantCulture, out priority))
            {
                var labelled = plan.Contexts.GetValueOrDefault(context)?.Extensions
                    .FirstOrDefault(e => FakeExtensionPattern.Matches(e.Number, extension) && e.TakesCaller(callerId))?
                    .Priorities.FirstOrDefault(x => x.Label == next);
                if (labelled is null) break;
                priority = labelled.Priority;
            }
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
