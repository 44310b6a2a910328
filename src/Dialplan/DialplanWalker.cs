using System.Globalization;

namespace Did.Dialplan;

/// <summary>Follows one call through dialplan text the way Asterisk runs it, from <c>[from-trunk-external]</c>, evaluating
/// exactly the applications the renderer writes: Goto, GotoIf (the expressions of <see cref="RouteForms"/>), GotoIfTime (as
/// main/pbx_timing.c, in the condition's time zone), Gosub/Return, Set (FILTER, CALLERID(num), STRFTIME, EPOCH), Dial and
/// Queue (returning the status asked for), VoiceMail, Playback, Answer, NoOp, Background/WaitExten (the call waits in the
/// IVR), Hangup, Busy, Congestion. Anything else stops the walk with a <see cref="DialplanWalkException"/>: the walk never
/// guesses. Pure: the moment of the call is an input; time zones come from the system's tz database, as Asterisk's do.
/// <para>Where the call ends up is read from the dialplan alone: entering <c>tenant-&lt;slug&gt;</c>, an IVR's or a queue's
/// context makes that the destination; in a number's own extension the first Dial (a USER, its extension named by the
/// block's <c>user-&lt;ext&gt;</c> label), Queue or other application decides it; the priority labelled <c>quarantine</c>
/// is the platform's QUARANTINE intercept; a pattern of the trunk's context or of a
/// shard is the platform's FALLBACK. The rule that decided is the <c>rule-N</c> label of the GotoIf that jumped, and the
/// failover ran when the call reached the priority labelled <c>failover</c>.</para></summary>
public static class DialplanWalker
{
    /// <summary>Priorities a walk may run before it is taken for a loop.</summary>
    public const int MaxSteps = 500;

    public static CallWalk Walk(IDialplanSource source, WalkRequest request, QueueSettings? queues = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        return new Walker(source, request, queues ?? QueueSettings.None).Run();
    }

    private sealed class Walker(IDialplanSource source, WalkRequest request, QueueSettings queues)
    {
        private readonly Dictionary<(string Context, string Extension), WalkContext?> _contexts = new();
        private readonly WalkChannel _channel = new(request.CallerId, request.At);
        private readonly List<WalkStep> _steps = [];
        private readonly Stack<(string Context, string Exten, int Priority)> _gosubs = new();
        private string _context = ContextNames.FromTrunk;
        private string _exten = request.Number;
        private int _priority = 1;
        private WalkOutcome? _outcome;
        private bool _open = true; // no step has decided the destination yet (or the failover has begun)
        private int? _rule;
        private bool _failover;
        private bool _dialled;

        public CallWalk Run()
        {
            while (true)
            {
                if (_steps.Count >= MaxSteps)
                    throw new DialplanWalkException($"the call ran {MaxSteps} priorities without ending; the dialplan loops", _steps);
                if (Context(_context, _exten) is not { } context) return End(WalkEnd.HungUp);
                var ext = context.Find(_exten, request.CallerId);
                if (ext is null)
                {
                    // Asterisk sends a call to an extension that does not exist to the context's 'i', or hangs up.
                    if (_exten != "i" && Context(_context, "i")?.Find("i", request.CallerId) is not null) { _exten = "i"; _priority = 1; continue; }
                    return End(WalkEnd.HungUp);
                }
                if (ext.At(_priority) is not { } entry) return End(WalkEnd.HungUp); // nothing left to run: Asterisk hangs up
                _channel.Exten = _exten;
                var (context0, exten0, priority0) = (_context, _exten, _priority);
                try
                {
                    Decide(ext, entry);
                    if (Run(ext, entry, DialplanValues.Substitute(entry.AppData, _channel)) is { } stop) return End(stop);
                }
                catch (NotSupportedException e)
                {
                    throw new DialplanWalkException(
                        $"[{context0}] {exten0},{priority0} (line {entry.LineNumber}), {entry.Application}({entry.AppData}): {e.Message}", _steps);
                }
            }
        }

        private CallWalk End(WalkEnd end) => new(_steps, _outcome, _rule, _failover, end);

        /// <summary>The context as a call to <paramref name="exten"/> meets it (only what such a call can reach is read).</summary>
        private WalkContext? Context(string name, string exten)
        {
            if (_contexts.TryGetValue((name, exten), out var context)) return context;
            var sections = source.Sections(name, exten);
            return _contexts[(name, exten)] = sections.Count == 0 ? null : new WalkContext(name, sections);
        }

        /// <summary>What this priority says about where the call ends up, before it runs.</summary>
        private void Decide(WalkExtension ext, DialplanEntry entry)
        {
            if (entry.Label == RouteForms.FailoverLabel)
            {
                _failover = true;
                _open = true;
                _outcome = null;
            }
            if (!_open) return;
            var app = entry.Application;
            if (entry.Label == RouteForms.QuarantineLabel)
            {
                Settle(new WalkOutcome(OutcomeType.Quarantine, null, null, Call(entry)));
                return;
            }
            var platform = _context == ContextNames.FromTrunk || ContextNames.IsShard(_context);
            if (platform && (ext.IsPattern || ext.Name.Length == 1))
            {
                if (!Is(app, "Goto")) Settle(new WalkOutcome(OutcomeType.Fallback, null, null, Call(entry)));
                return;
            }
            if (Is(app, "Dial"))
                Settle(new WalkOutcome(OutcomeType.User, null,
                    entry.Label is { } label && label.StartsWith("user-", StringComparison.Ordinal) ? label[5..] : entry.AppData.Split(',')[0], null));
            else if (Is(app, "Queue"))
            {
                var section = entry.AppData.Split(',')[0];
                Settle(ContextNames.FromQueueSection(section) is { } q
                    ? new WalkOutcome(OutcomeType.Queue, q.Slug, q.Name, null)
                    : new WalkOutcome(OutcomeType.Queue, null, section, null));
            }
            else if (!IsControl(app)) Settle(new WalkOutcome(OutcomeType.External, null, null, Call(entry)));
        }

        private void Settle(WalkOutcome outcome)
        {
            _outcome = outcome;
            _open = false;
        }

        private static string Call(DialplanEntry e) => e.Application + "(" + e.AppData + ")";

        private static bool IsControl(string app) =>
            Is(app, "Set") || Is(app, "GotoIf") || Is(app, "GotoIfTime") || Is(app, "Gosub") || Is(app, "Return") || Is(app, "Goto")
            || Is(app, "Answer") || Is(app, "NoOp");

        private static bool Is(string app, string name) => app.Equals(name, StringComparison.OrdinalIgnoreCase);

        /// <summary>Runs one priority: records it, moves on (the next priority, or where it jumps), and says whether the call
        /// stops here.</summary>
        private WalkEnd? Run(WalkExtension ext, DialplanEntry entry, string data)
        {
            var app = entry.Application;
            var step = _steps.Count;
            _steps.Add(new WalkStep(_context, _exten, _priority, entry.Label, app, entry.AppData, null));
            string? note = null;
            WalkEnd? end = null;
            var jumped = false;
            switch (app.ToLowerInvariant())
            {
                case "goto":
                    jumped = true;
                    if (!Jump(data, ext)) (note, end) = ($"no priority '{data}': Asterisk hangs up", WalkEnd.HungUp);
                    break;
                case "gotoif":
                {
                    var (condition, whenTrue, whenFalse) = Branches(data);
                    var holds = DialplanValues.IsTrue(condition);
                    var branch = holds ? whenTrue : whenFalse;
                    note = (holds ? "true" : "false") + (branch.Length > 0 ? $": to {branch}" : "");
                    if (holds && RouteForms.RuleIndex(entry.Label) is { } rule) _rule ??= rule;
                    if (branch.Length > 0)
                    {
                        jumped = true;
                        if (!Jump(branch, ext)) end = WalkEnd.HungUp;
                    }
                    break;
                }
                case "gotoiftime":
                {
                    var (condition, whenTrue, whenFalse) = Branches(data);
                    var timing = TimeCondition.Parse(condition);
                    var holds = timing.Holds(request.At, out var local);
                    var branch = holds ? whenTrue : whenFalse;
                    note = $"{local.ToString("yyyy-MM-dd HH:mm ddd", CultureInfo.InvariantCulture)} {timing.TimeZone ?? "UTC"}: "
                           + (holds ? "inside" : "outside") + (branch.Length > 0 ? $", to {branch}" : "");
                    if (branch.Length > 0)
                    {
                        jumped = true;
                        if (!Jump(branch, ext)) end = WalkEnd.HungUp;
                    }
                    break;
                }
                case "gosub":
                    if (data.Contains('(')) throw new NotSupportedException("Gosub arguments are not something the renderer writes");
                    _gosubs.Push((_context, _exten, _priority + 1));
                    jumped = true;
                    if (!Jump(data, ext)) end = WalkEnd.HungUp;
                    break;
                case "return":
                    if (!_gosubs.TryPop(out var back)) { (note, end) = ("Return without Gosub: Asterisk hangs up", WalkEnd.HungUp); break; }
                    _channel.Variables["GOSUB_RETVAL"] = data;
                    note = "GOSUB_RETVAL=" + data;
                    (_context, _exten, _priority) = back;
                    jumped = true;
                    break;
                case "set":
                {
                    var eq = data.IndexOf('=');
                    if (eq <= 0) throw new NotSupportedException("Set without NAME=value");
                    var name = data[..eq];
                    if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) throw new NotSupportedException($"Set of '{name}', which is not a variable");
                    _channel.Variables[name] = data[(eq + 1)..];
                    note = $"{name}={data[(eq + 1)..]}";
                    break;
                }
                case "dial":
                {
                    var status = DialResult(FirstStatus());
                    _channel.Variables["DIALSTATUS"] = status;
                    note = "DIALSTATUS=" + status;
                    if (status == "ANSWER") end = WalkEnd.Answered;
                    break;
                }
                case "queue":
                {
                    var (result, why) = QueueResult(data, FirstStatus());
                    note = why;
                    if (result is null) end = WalkEnd.InQueue;
                    else if (result == "ANSWER") end = WalkEnd.Answered;
                    else _channel.Variables["QUEUESTATUS"] = result;
                    break;
                }
                case "waitexten":
                    note = "the caller chooses a key";
                    end = WalkEnd.InIvr;
                    break;
                case "hangup" or "busy" or "congestion":
                    end = WalkEnd.HungUp;
                    break;
                case "answer" or "noop" or "playback" or "background" or "voicemail":
                    break;
                default:
                    throw new NotSupportedException($"application {app} is not one the renderer writes");
            }
            _steps[step] = _steps[step] with { Note = note };
            if (end is null && !jumped) _priority++;
            return end;
        }

        private DialStatus FirstStatus()
        {
            var status = _dialled ? DialStatus.Answer : request.Status;
            _dialled = true;
            return status;
        }

        private static string DialResult(DialStatus s) => s switch
        {
            DialStatus.Answer => "ANSWER",
            DialStatus.Noanswer or DialStatus.Timeout => "NOANSWER",
            DialStatus.Busy => "BUSY",
            DialStatus.Chanunavail or DialStatus.Joinempty => "CHANUNAVAIL",
            _ => "CONGESTION",
        };

        /// <summary>What Queue() does: a member answers; or, when nobody can take the call, it returns JOINEMPTY if the queue
        /// gives up when empty; or TIMEOUT when the caller's wait limit (the 5th argument) runs out; without either the caller
        /// keeps waiting (null).</summary>
        private (string? Result, string Note) QueueResult(string data, DialStatus s)
        {
            if (s == DialStatus.Answer) return ("ANSWER", "a member answers");
            var args = data.Split(',');
            var hasLimit = args.Length > 4 && args[4].Length > 0;
            if (s is DialStatus.Joinempty or DialStatus.Chanunavail && queues.GiveUpWhenEmpty.Contains(args[0]))
                return ("JOINEMPTY", "no member can take the call: QUEUESTATUS=JOINEMPTY");
            if (hasLimit) return ("TIMEOUT", $"nobody answers within {args[4]} s: QUEUESTATUS=TIMEOUT");
            return (null, "nobody answers and the queue has no wait limit: the caller keeps waiting");
        }

        private static (string Condition, string WhenTrue, string WhenFalse) Branches(string data)
        {
            var question = data.IndexOf('?');
            if (question < 0) return (data, "", "");
            var branches = data[(question + 1)..];
            var colon = branches.IndexOf(':');
            return colon < 0 ? (data[..question], branches, "") : (data[..question], branches[..colon], branches[(colon + 1)..]);
        }

        /// <summary>Goto's [[context,]extension,]priority-or-label. False when a label is not found (Asterisk hangs up).</summary>
        private bool Jump(string target, WalkExtension current)
        {
            var parts = target.Split(',');
            var (context, exten, priority) = parts.Length switch
            {
                1 => (_context, _exten, parts[0]),
                2 => (_context, parts[0], parts[1]),
                3 => (parts[0], parts[1], parts[2]),
                _ => throw new NotSupportedException($"Goto to '{target}' has more than context,extension,priority"),
            };
            if (priority.Length > 0 && priority[0] is '+' or '-') throw new NotSupportedException("relative priorities are not something the renderer writes");
            if (!int.TryParse(priority, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                var ext = context == _context && exten == _exten ? current : Context(context, exten)?.Find(exten, request.CallerId);
                if (ext?.Label(priority) is not { } labelled) return false;
                number = labelled;
            }
            var moved = context != _context || exten != _exten;
            (_context, _exten, _priority) = (context, exten, number);
            if (moved && ContextNames.Destination(context) is { } d)
                Settle(new WalkOutcome(d.Type switch
                {
                    AssignmentType.User => OutcomeType.User,
                    AssignmentType.Ivr => OutcomeType.Ivr,
                    _ => OutcomeType.Queue,
                }, d.Slug, d.Type == AssignmentType.User ? exten : d.Name, null));
            return true;
        }
    }
}
