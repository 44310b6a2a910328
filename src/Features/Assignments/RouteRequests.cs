using Did.Dialplan;

namespace Did.Features.Assignments;

/// <summary>Where a rule or a failover sends the call: USER, IVR and QUEUE take <c>id</c> (same tenant as the number);
/// EXTERNAL takes <c>value</c>, one call from the allow-list, as <c>assigned_value</c> does.</summary>
public sealed record RouteDestinationRequest(AssignmentType Type, Guid? Id = null, string? Value = null);

/// <summary>A routing rule: it decides when all its conditions hold. At most one caller condition
/// (<c>caller_id_prefix</c>, "+" and 1 to 15 digits, or <c>caller_id</c>: "WITHHELD", no usable number) and at most one
/// schedule condition (<c>schedule_id</c> with <c>when</c>: OPEN, CLOSED or HOLIDAY); at least one of them.</summary>
public sealed record RouteRuleRequest(
    RouteDestinationRequest Destination, string? CallerIdPrefix = null, string? CallerId = null,
    Guid? ScheduleId = null, ScheduleCondition? When = null);
