using Did.Dialplan;

namespace Did.Features.Assignments;

/// <summary>Where a number rings. <c>destination</c> is a readable label such as "USER alice@example.com (1001)".
/// <c>ring_seconds</c> (how long a USER rings), <c>failover</c> and <c>rules</c> are null, null and empty on a plain
/// route: one destination at every hour for every caller.</summary>
public sealed record AssignmentResponse(
    Guid Id, Guid PhoneNumberId, string PhoneNumber, AssignmentType AssignedType, Guid? AssignedId, string? AssignedValue,
    string Destination, int? RingSeconds, RouteDestinationResponse? Failover, IReadOnlyList<RouteRuleResponse> Rules,
    Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A rule's or a failover's destination with its readable <c>label</c> ("QUEUE support",
/// "EXTERNAL Playback(custom/holiday)").</summary>
public sealed record RouteDestinationResponse(AssignmentType Type, Guid? Id, string? Value, string Label);

/// <summary>A routing rule as stored, in the order it is tried; <c>schedule_name</c> names its schedule.</summary>
public sealed record RouteRuleResponse(
    string? CallerIdPrefix, string? CallerId, Guid? ScheduleId, string? ScheduleName, ScheduleCondition? When,
    RouteDestinationResponse Destination);

public sealed record AssignmentResult(AssignmentResponse Assignment, bool Created);
