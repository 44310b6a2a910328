namespace Did.Infrastructure.Auth;

/// <summary>JSON and database text: PLATFORM_ADMIN, SUPPORT, TENANT_ADMIN, USER.</summary>
public enum Role
{
    PlatformAdmin,
    Support,
    TenantAdmin,
    User,
}

public static class RoleExtensions
{
    public static bool IsPlatformRole(this Role r) => r is Role.PlatformAdmin or Role.Support;
}

/// <summary>Route policies. Which tenant's rows a caller may touch is decided inside the SQL, not here.</summary>
public static class Policies
{
    /// <summary>PLATFORM_ADMIN only.</summary>
    public const string PlatformAdmin = "platform_admin";
    /// <summary>PLATFORM_ADMIN, SUPPORT, TENANT_ADMIN: readers of platform or tenant data.</summary>
    public const string Reader = "reader";
    /// <summary>PLATFORM_ADMIN, TENANT_ADMIN: may change tenant data (the SQL limits a tenant admin to its tenant).</summary>
    public const string TenantManager = "tenant_manager";
    /// <summary>Any signed-in user.</summary>
    public const string Authenticated = "authenticated";
}
