namespace Did.Dialplan;

// The dialplan snapshot: everything the renderer needs, read from the database in one consistent
// transaction by someone else. Plain data, no behaviour: the renderer re-validates every field,
// because these values were typed by tenant admins and end up in the switch's configuration.

/// <summary>Where an IVR option, timeout or invalid entry sends the caller. JSON: USER, IVR, QUEUE, HANGUP.</summary>
public enum DestinationType { User, Ivr, Queue, Hangup }

/// <summary>What a DID number is assigned to. JSON: USER, IVR, QUEUE, EXTERNAL.</summary>
public enum AssignmentType { User, Ivr, Queue, External }

/// <summary>Asterisk app_queue ring strategies. JSON: RINGALL, LEASTRECENT, ...; queues.conf wants them lowercase.</summary>
public enum QueueStrategy { Ringall, Leastrecent, Fewestcalls, Random, Rrmemory, Linear }

/// <summary>A destination inside one tenant; <see cref="Id"/> is the user, IVR or queue id (null for HANGUP).</summary>
public sealed record Destination(DestinationType Type, Guid? Id);

/// <summary>A user; an empty <see cref="Extension"/> means the user has no phone and gets no dialplan line.</summary>
public sealed record UserSnapshot(Guid Id, string Extension);

public sealed record IvrSnapshot(
    Guid Id,
    string Name,
    string Greeting,
    int TimeoutSeconds,
    IReadOnlyDictionary<string, Destination> Options,
    Destination TimeoutDestination,
    Destination InvalidDestination);

/// <summary>A call queue. <see cref="MemberRingSeconds"/> is how long the queue rings one member before it tries the next
/// (queues.conf <c>timeout</c>), not how long a caller may wait.
/// <see cref="MaxWaitSeconds"/> is how long a caller may wait in the queue before Queue() gives up (TIMEOUT); null
/// waits without limit.</summary>
public sealed record QueueSnapshot(
    Guid Id, string Name, QueueStrategy Strategy, int MemberRingSeconds, IReadOnlyList<Guid> MemberUserIds, int? MaxWaitSeconds = null);

/// <summary>Days of the week as a set, Monday first. JSON: the UPPERCASE three-letter names MON..SUN.</summary>
[Flags]
public enum WeekDays { None = 0, Mon = 1, Tue = 2, Wed = 4, Thu = 8, Fri = 16, Sat = 32, Sun = 64 }

/// <summary>Open on each of <see cref="Days"/> from <see cref="FromMinute"/> (0..1439) to <see cref="ToMinute"/> (1..1440,
/// 1440 = 24:00), minutes after local midnight in the schedule's time zone. A <see cref="ToMinute"/> at or before
/// <see cref="FromMinute"/> runs past midnight into the next day (SAT 22:00-02:00 is open until 02:00 on Sunday).</summary>
public sealed record OpenInterval(WeekDays Days, int FromMinute, int ToMinute);

/// <summary>Closed from <see cref="From"/> to <see cref="To"/>, both included, local dates of the schedule's time zone, of
/// that year only (a closed 2026-12-25 says nothing about 2027-12-25).</summary>
public sealed record ClosedDates(DateOnly From, DateOnly To, string Name);

/// <summary>Opening hours and closed dates in one IANA time zone (e.g. America/New_York). Wall-clock time: 09:30 is
/// 09:30 local on both sides of a daylight-saving change.</summary>
public sealed record ScheduleSnapshot(Guid Id, string Name, string TimeZone, IReadOnlyList<OpenInterval> Open, IReadOnlyList<ClosedDates> Closed);

/// <summary>A tenant and everything of it the dialplan needs; <see cref="Schedules"/> null means none.</summary>
public sealed record TenantSnapshot(
    Guid Id,
    string Slug,
    IReadOnlyList<UserSnapshot> Users,
    IReadOnlyList<IvrSnapshot> Ivrs,
    IReadOnlyList<QueueSnapshot> Queues,
    IReadOnlyList<ScheduleSnapshot>? Schedules = null);

/// <summary>When a rule's schedule condition holds. JSON: OPEN (inside opening hours and not a closed date), CLOSED
/// (everything else, closed dates included), HOLIDAY (a closed date).</summary>
public enum ScheduleCondition { Open, Closed, Holiday }

/// <summary>A destination of a rule or of a failover, in the number's tenant: USER, IVR and QUEUE name their
/// <see cref="Id"/>; EXTERNAL carries its <see cref="ExternalAction"/> (one allow-listed application call).</summary>
public sealed record RouteDestination(AssignmentType Type, Guid? Id, string? ExternalAction);

/// <summary>One routing rule: it decides when every condition it has holds. At most one caller condition
/// (<see cref="CallerIdPrefix"/>, e.g. "+44", or <see cref="CallerWithheld"/>: no usable number) and at most one
/// schedule condition (<see cref="ScheduleId"/> with <see cref="When"/>); at least one condition.</summary>
public sealed record RouteRule(string? CallerIdPrefix, bool CallerWithheld, Guid? ScheduleId, ScheduleCondition? When, RouteDestination Destination);

/// <summary>What a number's route has beyond its default destination. Rules are tried in order and the first that holds
/// decides; otherwise the default. <see cref="Failover"/> is where the call goes when the chosen USER or QUEUE does not
/// take it (no answer, busy, unreachable, congested; a queue that is empty or whose wait ran out); without one, a user's
/// unanswered call goes to voicemail as today. <see cref="RingSeconds"/> is how long a USER rings (null: the platform's
/// ring time).</summary>
public sealed record RouteOptions(int? RingSeconds, RouteDestination? Failover, IReadOnlyList<RouteRule> Rules);

/// <summary>One assigned DID. <see cref="TargetId"/> is the user/IVR/queue for those types;
/// <see cref="ExternalAction"/> is the tenant-supplied application call for EXTERNAL.
/// <see cref="Options"/> null is a plain route: one destination, at every hour, for every caller.</summary>
public sealed record RoutedNumber(
    string Number, Guid TenantId, AssignmentType Type, Guid? TargetId, string? ExternalAction, RouteOptions? Options = null);

/// <summary>A number in quarantine (taken back from a tenant, resting before reuse): a call to it gets the platform's
/// quarantine intercept (<see cref="DialplanSettings.QuarantineAction"/>), never its old route nor the fallback.
/// <see cref="FromTenantId"/> is the tenant it was taken from (null once that tenant is deleted): the renderer does not
/// use it; a tenant-scoped apply deploys a number's intercept with that tenant's part.</summary>
public sealed record QuarantinedNumber(string Number, Guid? FromTenantId = null);

/// <summary>All tenants, all assigned numbers and all quarantined numbers of the platform: the input of one render.</summary>
public sealed record DialplanSnapshot(
    IReadOnlyList<TenantSnapshot> Tenants, IReadOnlyList<RoutedNumber> Numbers, IReadOnlyList<QuarantinedNumber>? Quarantined = null);
