using System.Security.Claims;
using Did.Infrastructure.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Did.Infrastructure.Auth;

/// <summary>Who is asking, from where: the actor for tenant filters in SQL and for audit rows.
/// Outside a request (start-up seeding, recovery) it is the system, with no actor id.</summary>
public sealed class RequestContext(IHttpContextAccessor accessor)
{
    private ClaimsPrincipal? Principal => accessor.HttpContext?.User;

    public Guid? ActorId =>
        Guid.TryParse(Principal?.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : null;

    public Role? Role =>
        Principal?.FindFirstValue(Claims.Role) is { } r ? ApiJson.Parse<Role>(r) : null;

    public Guid? TenantId =>
        Guid.TryParse(Principal?.FindFirstValue(Claims.Tenant), out var id) ? id : null;

    /// <summary>The tenant a caller is confined to, or null for platform roles, which see every tenant.
    /// Pass it to SQL as <c>(@scope::uuid IS NULL OR tenant_id = @scope)</c>.</summary>
    public Guid? TenantScope => Role is Auth.Role.PlatformAdmin or Auth.Role.Support ? null : TenantId ?? Guid.Empty;

    public bool IsPlatformAdmin => Role == Auth.Role.PlatformAdmin;

    /// <summary>The tenant a new tenant-owned object goes to: a platform admin must name one; a tenant admin gets its
    /// own and may not name another (403 whether or not that tenant exists, so nothing is revealed).</summary>
    public Guid ResolveTenant(Guid? requested)
    {
        if (Role == Auth.Role.PlatformAdmin)
            return requested ?? throw Errors.Problem.Invalid("tenant_id", "'tenant_id' is required when a platform admin acts for a tenant.");
        if (requested is { } r && r != TenantId)
            throw Errors.Problem.Forbidden("You may act only in your own tenant.");
        return TenantId ?? throw Errors.Problem.Forbidden("You may act only in your own tenant.");
    }

    public string? SourceIp => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public string? UserAgent =>
        accessor.HttpContext?.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null;

    public string? RequestId => accessor.HttpContext?.TraceIdentifier;
}

public static class Claims
{
    public const string Role = "role";
    public const string Tenant = "tenant_id";
    public const string Stamp = "stamp";
}
