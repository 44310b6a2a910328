using System.Globalization;
using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.ApiKeys;

/// <summary>Body of POST /api/v1/api-keys. A tenant admin may omit tenant_id (its own tenant is used).</summary>
public sealed record CreateApiKeyRequest(string Name, Role Role, Guid? TenantId = null, DateTimeOffset? ExpiresAt = null)
    : ICommand<CreatedApiKeyResponse>;

public static class CreateApiKey
{
    public sealed class Validator : AbstractValidator<CreateApiKeyRequest>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(r => r.Name).NotEmpty().Name(200);
            RuleFor(r => r.ExpiresAt)
                .Must(at => at is null || at > clock.GetUtcNow())
                .WithMessage((_, at) => $"'expires_at' must be in the future (you sent the instant '{at!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)}').");
        }
    }

    /// <summary>Who may create which key: a platform admin any role; a tenant admin TENANT_ADMIN or USER keys of its own
    /// tenant. Only a signed-in person creates keys, so that every key has a person who answers for it. The INSERT reads
    /// the creator's row under a share lock and applies the same rule to it, so a concurrent change of the creator's role
    /// either comes first (and nothing is created) or waits for this commit and then removes the key
    /// (migration M0026's trigger).</summary>
    /// <para>A tenant holds at most <see cref="ApiKeyOptions.MaxPerTenant"/> keys that have not expired: the count is read
    /// under the tenant's row lock (<c>FOR NO KEY UPDATE</c>, which only key creations and tenant changes take), so two
    /// creations at once cannot both pass it.</para>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, IOptions<ApiKeyOptions> options)
        : ICommandHandler<CreateApiKeyRequest, CreatedApiKeyResponse>
    {
        public async ValueTask<CreatedApiKeyResponse> Handle(CreateApiKeyRequest r, CancellationToken ct)
        {
            if (ctx.IsApiKey)
                throw Problem.Forbidden("An API key cannot create API keys; sign in as a person to create one.");
            var tenantId = r.TenantId ?? (ctx.Role == Role.TenantAdmin && !r.Role.IsPlatformRole() ? ctx.TenantId : null);
            CheckPlacement(r.Role, tenantId);

            var secret = ApiKeySecret.New();
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (tenantId is { } t)
            {
                await TenantExistence.EnsureExistsAsync(conn, tx, t, ct);
                if (options.Value.MaxPerTenant is > 0 and var max && await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                        SELECT count(*) FROM api_keys
                        WHERE tenant_id = (SELECT id FROM tenants WHERE id = @t FOR NO KEY UPDATE)
                          AND (expires_at IS NULL OR expires_at > now())
                        """, new { t }, tx, cancellationToken: ct)) >= max)
                    throw Problem.Conflict($"The tenant already holds {max} API keys that have not expired (Auth:ApiKeys:MaxPerTenant); " +
                                           "revoke one (DELETE /api/v1/api-keys/{id}) before creating another.");
            }

            var row = await conn.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition($"""
                INSERT INTO api_keys (id, name, prefix, secret_sha256, role, tenant_id, created_by, expires_at)
                SELECT @id, normalize(@name, NFC), @prefix, @hash, @role, @tenantId, u.id, @expiresAt
                FROM users u
                WHERE u.id = @creator
                  AND (u.role = 'PLATFORM_ADMIN'
                       OR (u.role = 'TENANT_ADMIN' AND u.tenant_id = @tenantId AND @role IN ('TENANT_ADMIN', 'USER')))
                FOR SHARE OF u
                RETURNING {ApiKeyRow.Columns}
                """, new
                {
                    id = Guid.CreateVersion7(), name = r.Name.Trim(), prefix = ApiKeySecret.Prefix(secret), hash = ApiKeySecret.Hash(secret),
                    role = ApiJson.Name(r.Role), tenantId, creator = ctx.ActorId, expiresAt = r.ExpiresAt is { } at ? StoredInstant(at) : (DateTime?)null,
                }, tx, cancellationToken: ct))
                ?? throw Problem.Forbidden("Your role no longer allows creating this key.");

            var key = row.ToResponse();
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Create, AuditEntity.ApiKey, key.Id, key.TenantId, null, key, ct);
            await tx.CommitAsync(ct);
            return new CreatedApiKeyResponse(key.Id, key.Name, key.Prefix, key.Role, key.TenantId, key.CreatedBy, key.CreatedAt,
                key.ExpiresAt, secret);
        }

        /// <summary>The instant as PostgreSQL keeps it, to the microsecond. Npgsql writes the last instant a DateTime holds
        /// (9999-12-31T23:59:59.9999999Z) as 'infinity', which reads back as a time without a zone; its microsecond does not.</summary>
        private static DateTime StoredInstant(DateTimeOffset at)
        {
            var utc = at.UtcDateTime;
            return new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
        }

        private void CheckPlacement(Role role, Guid? tenantId)
        {
            if (ctx.Role == Role.TenantAdmin)
            {
                if (role.IsPlatformRole())
                    throw Problem.Forbidden("Tenant admins may create TENANT_ADMIN and USER keys only.");
                if (tenantId is { } other && other != ctx.TenantId)
                    throw RequestContext.OtherTenant(other);
                if (tenantId is null)
                    throw Problem.Forbidden("Tenant admins create keys of their own tenant only.");
            }
            if (role.IsPlatformRole() && tenantId is not null)
                throw Problem.Invalid("tenant_id", "'tenant_id' must be empty for platform roles (PLATFORM_ADMIN, SUPPORT).");
            if (!role.IsPlatformRole() && tenantId is null)
                throw Problem.Invalid("tenant_id", "'tenant_id' is required for tenant roles (TENANT_ADMIN, USER).");
        }
    }
}

public sealed class CreateApiKeyModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/api-keys", "API keys")
            .MapPost("/", async (CreateApiKeyRequest body, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var key = await mediator.Send(body, ct);
                response.KeepOutOfCaches(); // the body holds a secret
                return TypedResults.Created($"/api/v1/api-keys/{key.Id}", key);
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("CreateApiKey")
            .WithSummary("Create an API key; its secret is in this answer only. A platform admin creates keys of any role; a tenant admin TENANT_ADMIN or USER keys of its own tenant.")
            .WithDescription("Send the secret as 'Authorization: Bearer did_...' wherever a token works. The key acts with its role in its " +
                "tenant until it expires (expires_at, optional), is revoked (DELETE), or its creator or tenant is deleted or its creator " +
                "loses the right to create it. Only the SHA-256 of the secret is stored: a lost secret cannot be shown again. A tenant holds " +
                "at most Auth__ApiKeys__MaxPerTenant (100) keys that have not expired; one more is a 409.")
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
}
