using Did.Dialplan;

namespace Did.Features.Assignments;

/// <summary>Where a number rings. <c>destination</c> is a readable label such as "USER alice@example.com (1001)".</summary>
public sealed record AssignmentResponse(
    Guid Id, Guid PhoneNumberId, string PhoneNumber, AssignmentType AssignedType, Guid? AssignedId, string? AssignedValue,
    string Destination, Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Body of POST and PUT /api/v1/dids/{id}/assign: USER, IVR and QUEUE take <c>assigned_id</c> (same tenant);
/// EXTERNAL takes <c>assigned_value</c>, one call from the allow-list, e.g. "VoiceMail(1001@tenant-acme)".</summary>
public sealed record AssignDidRequest(AssignmentType AssignedType, Guid? AssignedId = null, string? AssignedValue = null)
    : Mediator.ICommand<AssignmentResult>
{
    [System.Text.Json.Serialization.JsonIgnore] public Guid Id { get; init; }
    [System.Text.Json.Serialization.JsonIgnore] public bool Replace { get; init; }
}

public sealed record AssignmentResult(AssignmentResponse Assignment, bool Created);
