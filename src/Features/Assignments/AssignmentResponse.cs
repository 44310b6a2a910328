using Did.Dialplan;

namespace Did.Features.Assignments;

/// <summary>Where a number rings. <c>destination</c> is a readable label such as "USER alice@example.com (1001)".</summary>
public sealed record AssignmentResponse(
    Guid Id, Guid PhoneNumberId, string PhoneNumber, AssignmentType AssignedType, Guid? AssignedId, string? AssignedValue,
    string Destination, Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record AssignmentResult(AssignmentResponse Assignment, bool Created);
