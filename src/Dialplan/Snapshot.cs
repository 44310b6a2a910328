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
public sealed record UserSnapshot(Guid Id, string Email, string Extension);

public sealed record IvrSnapshot(
    Guid Id,
    string Name,
    string Greeting,
    int TimeoutSeconds,
    IReadOnlyDictionary<string, Destination> Options,
    Destination TimeoutDestination,
    Destination InvalidDestination);

/// <summary>A call queue. <see cref="MemberRingSeconds"/> is how long the queue rings one member before it tries the next
/// (queues.conf <c>timeout</c>), not how long a caller may wait.</summary>
public sealed record QueueSnapshot(Guid Id, string Name, QueueStrategy Strategy, int MemberRingSeconds, IReadOnlyList<Guid> MemberUserIds);

public sealed record TenantSnapshot(
    Guid Id,
    string Slug,
    IReadOnlyList<UserSnapshot> Users,
    IReadOnlyList<IvrSnapshot> Ivrs,
    IReadOnlyList<QueueSnapshot> Queues);

/// <summary>One assigned DID. <see cref="TargetId"/> is the user/IVR/queue for those types;
/// <see cref="ExternalAction"/> is the tenant-supplied application call for EXTERNAL.</summary>
public sealed record RoutedNumber(string Number, Guid TenantId, AssignmentType Type, Guid? TargetId, string? ExternalAction);

/// <summary>All tenants and all assigned numbers of the platform: the input of one render.</summary>
public sealed record DialplanSnapshot(IReadOnlyList<TenantSnapshot> Tenants, IReadOnlyList<RoutedNumber> Numbers);
