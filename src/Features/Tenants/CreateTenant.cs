using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Tenants;

/// <summary>Body of POST /api/v1/tenants.</summary>
public sealed record CreateTenantRequest(string Name, string Slug) : ICommand<TenantResponse>;

public static class CreateTenant
{
    public sealed class Validator : AbstractValidator<CreateTenantRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().Name(200);
            RuleFor(r => r.Slug).NotEmpty().Slug()
                .Must(s => s is null || !(s.Contains("-ivr-") || s.Contains("-queue-") || s.EndsWith("-ivr") || s.EndsWith("-queue")))
                .WithMessage("'slug' must not contain '-ivr-' or '-queue-' nor end with '-ivr' or '-queue': EXTERNAL Gotos may still name IVR and queue contexts the old way (tenant-<slug>-ivr-<name>), which must stay unambiguous.");
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<CreateTenantRequest, TenantResponse>
    {
        public async ValueTask<TenantResponse> Handle(CreateTenantRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var name = r.Name.Trim();
            var tenant = await conn.QuerySingleAsync<TenantResponse>(new CommandDefinition($"""
                INSERT INTO tenants (id, name, slug) VALUES (@id, normalize(@name, NFC), @slug)
                RETURNING {TenantSql.Columns}
                """, new { id = Guid.CreateVersion7(), name, slug = r.Slug }, tx, cancellationToken: ct))
                .NamingDuplicates(TenantNames.Duplicate(name), TenantNames.DuplicateSlug(r.Slug));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Create, AuditEntity.Tenant, tenant.Id, tenant.Id, null, tenant, ct);
            await tx.CommitAsync(ct);
            return tenant;
        }
    }
}

public sealed class CreateTenantModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/tenants", "Tenants")
            .MapPost("/", async (CreateTenantRequest body, IMediator mediator, CancellationToken ct) =>
            {
                var tenant = await mediator.Send(body, ct);
                return TypedResults.Created($"/api/v1/tenants/{tenant.Id}", tenant);
            })
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithName("CreateTenant")
            .WithSummary("Create a tenant (platform admin). The slug names its dialplan context tenant-<slug> and never changes; a slug or a name another tenant holds, whatever its case, is a 409.")
            .Produces<TenantResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
}
