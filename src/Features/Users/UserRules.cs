using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Bootstrap;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Validation;
using Npgsql;

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
            if (tenantId is { } other && other != actor.TenantId)
                throw RequestContext.OtherTenant(other);
            if (tenantId is null)
                throw Problem.Forbidden("Tenant admins manage users of their own tenant only.");
        }
        if (role.IsPlatformRole() && tenantId is not null)
            throw Problem.Invalid("tenant_id", "'tenant_id' must be empty for platform roles (PLATFORM_ADMIN, SUPPORT).");
        if (!role.IsPlatformRole() && tenantId is null)
            throw Problem.Invalid("tenant_id", "'tenant_id' is required for tenant roles (TENANT_ADMIN, USER).");
        if (role.IsPlatformRole() && extension is not null)
            throw Problem.Invalid("extension", "'extension' must be empty for platform roles: extensions belong to a tenant.");
    }

    /// <summary>The keys a created or changed user may collide on, named in its 409.</summary>
    public static Duplicate[] Duplicates(string email, string? extension) =>
    [
        new("ux_users_email", "email", $"A user with email '{EchoedValue.Of(email)}' already exists."),
        new("ux_users_tenant_extension", "extension", $"The extension '{EchoedValue.Of(extension)}' is already used by another user of the tenant."),
    ];

    /// <summary>Refuses to demote or delete the last platform admin: nobody could then create tenants or users, and the
    /// first-admin bootstrap would not make one again (its email is taken). Taken under the bootstrap's advisory lock, so
    /// two admins demoting or deleting each other at once cannot both pass.</summary>
    public static async Task EnsureAnotherPlatformAdminAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = FirstAdmin.PlatformAdminsLock }, tx, cancellationToken: ct));
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'PLATFORM_ADMIN' AND id <> @id)", new { id }, tx, cancellationToken: ct)))
            throw Problem.Conflict("This is the last platform admin: make another user PLATFORM_ADMIN first.");
    }
}
