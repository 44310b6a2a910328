using Did.Dialplan;
using Did.Infrastructure.Json;

namespace Did.Features.Assignments;

/// <summary>A number's assignment row as the route changes read it, with the number and the destination's label.</summary>
internal sealed record AssignmentRow(
    Guid Id, Guid PhoneNumberId, string PhoneNumber, string AssignedType, Guid? AssignedId, string? AssignedValue,
    string Destination, Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
{
    public AssignmentResponse ToResponse() => new(Id, PhoneNumberId, PhoneNumber, ApiJson.Parse<AssignmentType>(AssignedType),
        AssignedId, AssignedValue, Destination, CreatedBy, CreatedAt, UpdatedAt);
}
