using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Npgsql;

namespace Did.Features.Users;

/// <summary>The audit rows of a change to a user (PATCH /users/{id}), written in the change's transaction.
/// <list type="bullet">
/// <item>A user that changes side (from one tenant to another, or between a tenant and a platform role, whose side is the
/// platform, tenant NULL) is audited on each side, holding the user only as that side can see it: the side it left has
/// before and no after, the side it joined no before and after; so neither learns anything of the other, and each sees
/// the user go or come (docs/decisions.md).</item>
/// <item>A password sent is a password change, audited as POST /auth/password audits one: the row's action says so,
/// since before and after (the user as the API shows it) can hold no trace of a secret.</item>
/// </list></summary>
internal static class UserChangeAudit
{
    public static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx,
        UserResponse before, UserResponse after, bool fieldsChanged, bool passwordChanged, CancellationToken ct)
    {
        var action = passwordChanged ? AuditAction.ChangePassword : AuditAction.Update;
        if (before.TenantId == after.TenantId)
            await Write(action, after.TenantId, before, after);
        else
        {
            await Write(action, before.TenantId, before, null);
            await Write(action, after.TenantId, null, after);
        }

        Task Write(AuditAction rowAction, Guid? tenantId, UserResponse? b, UserResponse? a) =>
            AuditLog.WriteAsync(conn, tx, ctx, rowAction, AuditEntity.User, after.Id, tenantId, b, a, ct);
    }
}
