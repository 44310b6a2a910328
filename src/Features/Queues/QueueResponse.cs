using System.ComponentModel;
using Did.Dialplan;

namespace Did.Features.Queues;

/// <summary>A call queue; <c>members</c> are user ids of the same tenant, in ring order.</summary>
public sealed record QueueResponse(
    Guid Id, Guid TenantId, string Name, QueueStrategy Strategy,
    [property: Description(QueueRules.MemberRingSecondsDescription)] int MemberRingSeconds,
    [property: Description(QueueRules.MaxWaitSecondsDescription)] int? MaxWaitSeconds,
    IReadOnlyList<Guid> Members, DateTime CreatedAt, DateTime UpdatedAt);
