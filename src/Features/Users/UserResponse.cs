using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;

namespace Did.Features.Users;

public sealed record UserResponse(
    Guid Id, string Email, string DisplayName, Role Role, Guid? TenantId, string? Extension, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The row as stored (role as text); never carries the password hash out of this folder.</summary>
internal sealed record UserRow(
    Guid Id, string Email, string DisplayName, string Role, Guid? TenantId, string? Extension, DateTime CreatedAt, DateTime UpdatedAt)
{
    public const string Columns = "id, email, display_name, role, tenant_id, extension, created_at, updated_at";

    public UserResponse ToResponse() =>
        new(Id, Email, DisplayName, ApiJson.Parse<Role>(Role), TenantId, Extension, CreatedAt, UpdatedAt);
}

/// <summary>Which users a caller may see, as SQL: platform roles all, a tenant admin its tenant's, a user itself.</summary>
internal static class UserScope
{
    public const string Sql = "(@scopeAll OR tenant_id = @scopeTenant OR id = @scopeSelf)";

    public static object Params(RequestContext ctx) => new
    {
        scopeAll = ctx.Role is Role.PlatformAdmin or Role.Support,
        scopeTenant = ctx.Role == Role.TenantAdmin ? ctx.TenantId : null,
        scopeSelf = ctx.ActorId,
    };
}
