using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;

namespace Did.Features.Users;

/// <summary>Who may give which role in which tenant; shared by create and update so the two can't drift apart.</summary>
internal static class UserRules
{
    public static void CheckPlacement(RequestContext actor, Role role, Guid? tenantId, string? extension)
    {
        if (actor.Role == Role.TenantAdmin)
        {
            if (role.IsPlatformRole())
                throw Problem.Forbidden("Tenant admins cannot grant platform roles.");
            if (tenantId != actor.TenantId)
                throw Problem.Forbidden("Tenant admins manage users of their own tenant only.");
        }
        if (role.IsPlatformRole() && tenantId is not null)
            throw Problem.Invalid("tenant_id", "'tenant_id' must be empty for platform roles (PLATFORM_ADMIN, SUPPORT).");
        if (!role.IsPlatformRole() && tenantId is null)
            throw Problem.Invalid("tenant_id", "'tenant_id' is required for tenant roles (TENANT_ADMIN, USER).");
        if (role.IsPlatformRole() && extension is not null)
            throw Problem.Invalid("extension", "'extension' must be empty for platform roles: extensions belong to a tenant.");
    }
}
