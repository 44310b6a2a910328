using Did.Dialplan;
using Did.Infrastructure.Json;

namespace Did.Features.Assignments;

/// <summary>A number's route as <see cref="CurrentRoute"/> reads it: the route's row, the destination's label, the
/// failover and the rules as JSON built in the same statement.</summary>
internal sealed record AssignmentRow(
    Guid Id, Guid PhoneNumberId, string PhoneNumber, string AssignedType, Guid? AssignedId, string? AssignedValue,
    string Destination, int? RingSeconds, string? Failover, string Rules, Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
{
    public AssignmentResponse ToResponse() => new(Id, PhoneNumberId, PhoneNumber, ApiJson.Parse<AssignmentType>(AssignedType),
        AssignedId, AssignedValue, Destination, RingSeconds,
        Failover is null ? null : System.Text.Json.JsonSerializer.Deserialize<RouteDestinationResponse>(Failover, ApiJson.Options),
        System.Text.Json.JsonSerializer.Deserialize<List<RouteRuleResponse>>(Rules, ApiJson.Options)!,
        CreatedBy, CreatedAt, UpdatedAt);
}
