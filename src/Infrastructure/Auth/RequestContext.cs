using System.Security.Claims;
using Did.Infrastructure.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Did.Infrastructure.Auth;

/// <summary>Who is asking, from where: the actor for tenant filters in SQL and for audit rows.
/// Outside a request (start-up seeding, recovery) it is the system, with no actor id.</summary>
public sealed class RequestContext(IHttpContextAccessor accessor)
{
    // Read from the token's claims once per request (handlers run after authentication, so the user is final by then):
    // a handler, its audit row and its SQL ask several times.
    private (bool Read, Guid? ActorId, Role? Role, Guid? TenantId) _claims;

    private (bool Read, Guid? ActorId, Role? Role, Guid? TenantId) Identity
    {
        get
        {
            if (_claims.Read) return _claims;
            var principal = accessor.HttpContext?.User;
            Guid? actor = Guid.TryParse(principal?.FindFirstValue(JwtRegisteredClaimNames.Sub), out var a) ? a : null;
            Role? role = principal?.FindFirstValue(Claims.Role) is { } r ? ApiJson.Parse<Role>(r) : null;
            Guid? tenant = Guid.TryParse(principal?.FindFirstValue(Claims.Tenant), out var t) ? t : null;
            // Outside a request there is nothing to cache: the system has no actor, now or later.
            return accessor.HttpContext is null ? (false, actor, role, tenant) : _claims = (true, actor, role, tenant);
        }
    }

    public Guid? ActorId => Identity.ActorId;

    public Role? Role => Identity.Role;

    public Guid? TenantId => Identity.TenantId;

    /// <summary>The tenant a caller is confined to, or null for platform roles, which see every tenant.
    /// Pass it to SQL as <c>(@scope::uuid IS NULL OR tenant_id = @scope)</c>.</summary>
    public Guid? TenantScope => Role is Auth.Role.PlatformAdmin or Auth.Role.Support ? null : TenantId ?? Guid.Empty;

    public bool IsPlatformAdmin => Role == Auth.Role.PlatformAdmin;

    /// <summary>Whether the caller is an API key (its <see cref="ActorId"/> is the key's id), not a signed-in person.</summary>
    public bool IsApiKey => accessor.HttpContext?.User.Identity?.AuthenticationType == ApiKeyAuthentication.SchemeName;

    /// <summary>The tenant a new tenant-owned object goes to: a platform admin must name one; a tenant admin gets its
    /// own, and another tenant it names is one it cannot see (<see cref="OtherTenant"/>).</summary>
    public Guid ResolveTenant(Guid? requested)
    {
        if (Role == Auth.Role.PlatformAdmin)
            return requested ?? throw Errors.Problem.Invalid("tenant_id", "'tenant_id' is required when a platform admin acts for a tenant.");
        if (requested is { } r && r != TenantId)
            throw OtherTenant(r);
        return TenantId ?? throw Errors.Problem.Forbidden("You may act only in your own tenant.");
    }

    /// <summary>The answer to a tenant-scoped caller naming a tenant other than its own: a 404, as for any object of
    /// another tenant, the same whether or not that tenant exists.</summary>
    public static Errors.ProblemException OtherTenant(Guid tenant) => Errors.Problem.NotFound("Tenant", tenant);

    /// <summary>The client's address: the socket's peer, or what a trusted proxy forwarded (ForwardedHeadersSetup).</summary>
    public System.Net.IPAddress? RemoteAddress => accessor.HttpContext?.Connection.RemoteIpAddress;

    public string? SourceIp => RemoteAddress?.ToString();

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
