using Did.Infrastructure.Auth;

namespace Did.Features.Users;

public sealed record UserResponse(
    Guid Id, string Email, string DisplayName, Role Role, Guid? TenantId, string? Extension, DateTime CreatedAt, DateTime UpdatedAt);
