namespace Did.Dialplan;

/// <summary>What the destination's Dial or Queue returns in a walk. JSON: ANSWER, NOANSWER, BUSY, CHANUNAVAIL, CONGESTION
/// (Dial's DIALSTATUS), TIMEOUT, JOINEMPTY (Queue's QUEUESTATUS). A Dial given a queue status, or a Queue given a dial
/// status, reads it as the nearest of its own: TIMEOUT as NOANSWER, JOINEMPTY as CHANUNAVAIL and back; BUSY and CONGESTION
/// for a queue as TIMEOUT (its members did not take the call).</summary>
public enum DialStatus { Answer, Noanswer, Busy, Chanunavail, Congestion, Timeout, Joinempty }

/// <summary>Where a walked call ended up. JSON: USER, IVR, QUEUE, EXTERNAL, FALLBACK (the platform's answer to a number
/// nobody is assigned), QUARANTINE (the platform's intercept for a number in quarantine).</summary>
public enum OutcomeType { User, Ivr, Queue, External, Fallback, Quarantine }

/// <summary>How a walked call stops. JSON: ANSWERED (a Dial or Queue took it), IN_IVR (an IVR waits for a key), IN_QUEUE (the
/// caller waits in a queue that cannot give up), HUNG_UP (Hangup, Busy, Congestion, after voicemail, or nothing left to run).</summary>
public enum WalkEnd { Answered, InIvr, InQueue, HungUp }

/// <summary>The call to walk: the dialled <see cref="Number"/> (E.164), the caller ID exactly as the carrier would send it
/// (null: none, withheld), the moment (any offset; schedules convert it to their own zone) and what the first Dial or
/// Queue the call reaches returns (any later one, a failover's, answers).</summary>
public sealed record WalkRequest(string Number, string? CallerId, DateTimeOffset At, DialStatus Status);

/// <summary>One priority the call ran: where (context, extension, priority, label), what (application and its data as the
/// dialplan has it) and, for the applications that decide something, <see cref="Note"/>: what they decided.</summary>
public sealed record WalkStep(string Context, string Extension, int Priority, string? Label, string Application, string Data, string? Note);

/// <summary>The destination a walk reached. USER: <see cref="Tenant"/> (slug; null when the dialplan does not name it, a
/// number's own Dial) and <see cref="Name"/> the extension; IVR and QUEUE: slug and name; EXTERNAL, FALLBACK and QUARANTINE:
/// <see cref="Value"/>, the application call.</summary>
public sealed record WalkOutcome(OutcomeType Type, string? Tenant, string? Name, string? Value);

/// <summary>A walked call: every step from <c>[from-trunk-external]</c>, where it ended up, the index of the rule that
/// decided (null: the default destination, or a route without rules), whether the failover ran, and how it stopped.</summary>
public sealed record CallWalk(IReadOnlyList<WalkStep> Steps, WalkOutcome? Outcome, int? Rule, bool Failover, WalkEnd End);

/// <summary>The walk met something it cannot evaluate (an application, function or form the renderer does not write), or
/// ran too long. <see cref="Steps"/> are those it ran before.</summary>
public sealed class DialplanWalkException(string message, IReadOnlyList<WalkStep> steps) : Exception(message)
{
    public IReadOnlyList<WalkStep> Steps { get; } = steps;
}
