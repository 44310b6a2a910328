using Carter;
using Dapper;
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

/// <summary>Body of POST /api/v1/users. A tenant admin may omit tenant_id (its own tenant is used).</summary>
public sealed record CreateUserRequest(
    string Email, string Password, string DisplayName, Role Role, Guid? TenantId = null, string? Extension = null)
    : ICommand<UserResponse>;

public static class CreateUser
{
    public sealed class Validator : AbstractValidator<CreateUserRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Email).NotEmpty().Email();
            RuleFor(r => r.Password).NotEmpty().NewPassword();
            RuleFor(r => r.DisplayName).NotEmpty().Name(200);
            RuleFor(r => r.Extension).Extension().When(r => r.Extension is not null);
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, PasswordHasher hasher) : ICommandHandler<CreateUserRequest, UserResponse>
    {
        public async ValueTask<UserResponse> Handle(CreateUserRequest r, CancellationToken ct)
        {
            var tenantId = r.TenantId ?? (ctx.Role == Role.TenantAdmin && !r.Role.IsPlatformRole() ? ctx.TenantId : null);
            UserRules.CheckPlacement(ctx, r.Role, tenantId, r.Extension);
            var hash = await hasher.HashAsync(r.Password, ct);

            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (tenantId is { } t) await TenantExistence.EnsureExistsAsync(conn, tx, t, ct);

            var email = EmailAddress.Canonical(r.Email);
            var row = await conn.QuerySingleAsync<UserRow>(new CommandDefinition($"""
                INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp)
                VALUES (@id, @email, normalize(@displayName, NFC), @hash, @role, @tenantId, @extension, gen_random_uuid())
                RETURNING {UserRow.Columns}
                """, new
                {
                    id = Guid.CreateVersion7(), email, displayName = r.DisplayName.Trim(), hash,
                    role = ApiJson.Name(r.Role), tenantId, extension = r.Extension,
                }, tx, cancellationToken: ct)).NamingDuplicates(UserRules.Duplicates(email, r.Extension));
            var user = row.ToResponse();
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Create, AuditEntity.User, user.Id, user.TenantId, null, user, ct);
            await tx.CommitAsync(ct);
            return user;
        }
    }
}

public sealed class CreateUserModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/users", "Users")
            .MapPost("/", async (CreateUserRequest body, IMediator mediator, CancellationToken ct) =>
            {
                var user = await mediator.Send(body, ct);
                return TypedResults.Created($"/api/v1/users/{user.Id}", user);
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("CreateUser")
            .WithSummary("Create a user. A tenant admin creates TENANT_ADMIN or USER accounts in its own tenant only (another tenant_id is a 404). " +
                         "A 503 with Retry-After means the service is checking as many passwords as it can at once.")
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
