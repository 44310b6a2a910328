using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Users;

/// <summary>Body of PATCH /api/v1/users/{id}: absent or null fields stay as they are; <c>extension: ""</c> removes the
/// extension. Changing role, tenant or password ends the user's current tokens.</summary>
public sealed record UpdateUserRequest(
    string? Email = null, string? DisplayName = null, Role? Role = null, Guid? TenantId = null, string? Extension = null, string? Password = null)
    : ICommand<UserResponse>
{
    /// <summary>From the route; internal, so a body naming "id" is refused
    /// (docs/decisions.md, "A value is read as sent, or refused").</summary>
    internal Guid Id { get; init; }
}

public static class UpdateUser
{
    public sealed class Validator : AbstractValidator<UpdateUserRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Email).NotEmpty().Email().When(r => r.Email is not null);
            RuleFor(r => r.DisplayName).NotEmpty().Name(200).When(r => r.DisplayName is not null);
            RuleFor(r => r.Extension).MatchesWhole(Rules.ExtensionOrEmptyPattern)
                .WithMessage("'{PropertyName}' must be 2 to 8 digits, or \"\" to remove it (you sent '{PropertyValue}').");
            RuleFor(r => r.Password).NewPassword().When(r => r.Password is not null);
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, PasswordHasher hasher, SecurityStamps stamps, ApiKeyLookup keys)
        : ICommandHandler<UpdateUserRequest, UserResponse>
    {
        public async ValueTask<UserResponse> Handle(UpdateUserRequest r, CancellationToken ct)
        {
            // Hashed before the transaction: the row lock and the connection are not held through the hashing.
            var hash = r.Password is null ? null : await hasher.HashAsync(r.Password, ct);
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var p = new DynamicParameters(UserScope.Params(ctx));
            p.Add("id", r.Id);
            var before = (await conn.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
                $"SELECT {UserRow.Columns} FROM users WHERE id = @id AND {UserScope.Sql} FOR UPDATE", p, tx, cancellationToken: ct)))
                ?.ToResponse();
            if (before is null)
                throw Problem.NotFound("User", r.Id);

            var role = r.Role ?? before.Role;
            var tenantId = r.TenantId ?? (r.Role is { } newRole && newRole.IsPlatformRole() ? null : before.TenantId);
            var extension = r.Extension switch { null => before.Extension, "" => null, var e => e };
            UserRules.CheckPlacement(ctx, role, tenantId, extension);
            if (before.Role == Role.PlatformAdmin && role != Role.PlatformAdmin)
                await UserRules.EnsureAnotherPlatformAdminAsync(conn, tx, r.Id, ct);
            if (tenantId is { } t && t != before.TenantId && !await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @t)", new { t }, tx, cancellationToken: ct)))
                throw Problem.Invalid("tenant_id", $"Tenant '{t}' does not exist.");

            // A route rings the user by extension and tenant context: removing either would leave calls nowhere to go.
            if ((extension is null && before.Extension is not null) || tenantId != before.TenantId)
                await RouteReferences.EnsureUnreferencedAsync(conn, tx, DestinationType.User, r.Id, $"User {before.Email}", ct);

            var email = r.Email is null ? before.Email : EmailAddress.Canonical(r.Email);
            var rotate = role != before.Role || tenantId != before.TenantId || r.Password is not null;
            // The user keys of every route (migration M0035) back the read above: a route it could not see refuses the
            // UPDATE, answered by the key's 409.
            var after = (await conn.QuerySingleAsync<UserRow>(new CommandDefinition($"""
                UPDATE users SET
                    email = @email, display_name = coalesce(normalize(@displayName, NFC), display_name), role = @role,
                    tenant_id = @tenantId, extension = @extension,
                    password_hash = coalesce(@hash, password_hash),
                    security_stamp = CASE WHEN @rotate THEN gen_random_uuid() ELSE security_stamp END,
                    updated_at = clock_timestamp()
                WHERE id = @id
                RETURNING {UserRow.Columns}
                """, new
                {
                    id = r.Id, email, displayName = r.DisplayName?.Trim(),
                    role = ApiJson.Name(role), tenantId, extension,
                    hash, rotate,
                }, tx, cancellationToken: ct)).NamingDuplicates(UserRules.Duplicates(email, extension))).ToResponse();
            var fieldsChanged = AuditChange.Changed(before, after);
            if (r.Password is null && !fieldsChanged)
            {
                // Nothing changed (a password sent is always a change): undo the write, so updated_at stays and no audit row says nothing.
                await tx.RollbackAsync(ct);
                return before;
            }
            await UserChangeAudit.WriteAsync(conn, tx, ctx, before, after, fieldsChanged, passwordChanged: r.Password is not null, ct);
            await tx.CommitAsync(ct);
            // The database notifies every replica; this one forgets at once, so the old token fails on the next request.
            if (rotate)
            {
                stamps.Forget(r.Id);
                keys.ForgetCreatedBy(r.Id); // a new role or tenant may have ended its keys (migration M0026)
            }
            return after;
        }
    }
}

public sealed class UpdateUserModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/users", "Users")
            .MapPatch("/{id:guid}", async (Guid id, UpdateUserRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body with { Id = id }, ct)))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("UpdateUser")
            .WithSummary("Change a user. extension \"\" removes the extension. Role, tenant or password changes revoke the user's tokens. " +
                         "A 503 with Retry-After, when a password is sent, means the service is checking as many passwords as it can at once.")
            .Produces<UserResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
