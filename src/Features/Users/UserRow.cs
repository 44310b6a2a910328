using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;

namespace Did.Features.Users;

/// <summary>The row as stored (role as text); never carries the password hash out of this folder.</summary>
internal sealed record UserRow(
    Guid Id, string Email, string DisplayName, string Role, Guid? TenantId, string? Extension, DateTime CreatedAt, DateTime UpdatedAt)
{
    public const string Columns = "id, email, display_name, role, tenant_id, extension, created_at, updated_at";

    public UserResponse ToResponse() =>
        new(Id, Email, DisplayName, ApiJson.Parse<Role>(Role), TenantId, Extension, CreatedAt, UpdatedAt);
}
