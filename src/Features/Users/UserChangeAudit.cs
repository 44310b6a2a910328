using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Npgsql;

namespace Did.Features.Users;

/// <summary>The audit rows of a change to a user (PATCH /users/{id}), written in the change's transaction, in an order
/// that keeps the rows of each side a chain: a row's after is the next row's before.
/// <list type="bullet">
/// <item>A change of fields is an UPDATE. A user that changes side (from one tenant to another, or between a tenant and a
/// platform role, whose side is the platform, tenant NULL) is an UPDATE on each side, holding the user only as that side
/// can see it: the side it left has before and no after, the side it joined no before and after; so neither learns
/// anything of the other, and each sees the user go or come (docs/decisions.md).</item>
/// <item>A password sent is a CHANGE_PASSWORD, in the tenant the user is in after the change. Alone, it holds the user
/// before and after, as POST /auth/password does; beside other changes, it follows their UPDATE and holds the user as it
/// is after on both sides, since a password leaves no trace in the user as the API shows it.</item>
/// </list></summary>
internal static class UserChangeAudit
{
    public static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx,
        UserResponse before, UserResponse after, bool fieldsChanged, bool passwordChanged, CancellationToken ct)
    {
        if (!fieldsChanged)
        {
            if (passwordChanged)
                await Write(AuditAction.ChangePassword, after.TenantId, before, after);
            return;
        }
        if (before.TenantId == after.TenantId)
            await Write(AuditAction.Update, after.TenantId, before, after);
        else
        {
            await Write(AuditAction.Update, before.TenantId, before, null);
            await Write(AuditAction.Update, after.TenantId, null, after);
        }
        if (passwordChanged)
            await Write(AuditAction.ChangePassword, after.TenantId, after, after);

        Task Write(AuditAction action, Guid? tenantId, UserResponse? b, UserResponse? a) =>
            AuditLog.WriteAsync(conn, tx, ctx, action, AuditEntity.User, after.Id, tenantId, b, a, ct);
    }
}
