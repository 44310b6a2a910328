using Did.Infrastructure.Auth;

namespace Did.Features.Users;

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
