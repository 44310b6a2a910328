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

/// <summary>Body of PATCH /api/v1/tenants/{id}: an absent or null name stays, as in every PATCH of the API. The slug is
/// immutable (it names dialplan contexts), so it is not here: sending it is refused as an unknown property.</summary>
public sealed record UpdateTenantRequest(string? Name = null) : ICommand<TenantResponse>
{
    /// <summary>From the route; internal, so a body naming "id" is refused
    /// (docs/decisions.md, "A value is read as sent, or refused").</summary>
    internal Guid Id { get; init; }
}

public static class UpdateTenant
{
    public sealed class Validator : AbstractValidator<UpdateTenantRequest>
    {
        public Validator() => RuleFor(r => r.Name).NotEmpty().Name(200).When(r => r.Name is not null);
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<UpdateTenantRequest, TenantResponse>
    {
        public async ValueTask<TenantResponse> Handle(UpdateTenantRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = await conn.QuerySingleOrDefaultAsync<TenantResponse>(new CommandDefinition(
                $"SELECT {TenantSql.Columns} FROM tenants WHERE id = @Id FOR UPDATE", new { r.Id }, tx, cancellationToken: ct))
                ?? throw Problem.NotFound("Tenant", r.Id);
            var after = await conn.QuerySingleAsync<TenantResponse>(new CommandDefinition($"""
                UPDATE tenants SET name = coalesce(normalize(@name, NFC), name), updated_at = clock_timestamp() WHERE id = @Id
                RETURNING {TenantSql.Columns}
                """, new { r.Id, name = r.Name?.Trim() }, tx, cancellationToken: ct)).NamingDuplicates(TenantNames.Duplicate(r.Name?.Trim()));
            if (!AuditChange.Changed(before, after))
            {
                // Nothing changed: undo the write, so updated_at stays and no audit row says nothing.
                await tx.RollbackAsync(ct);
                return before;
            }
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Update, AuditEntity.Tenant, r.Id, r.Id, before, after, ct);
            await tx.CommitAsync(ct);
            return after;
        }
    }
}

public sealed class UpdateTenantModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/tenants", "Tenants")
            .MapPatch("/{id:guid}", async (Guid id, UpdateTenantRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body with { Id = id }, ct)))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithName("UpdateTenant")
            .WithSummary("Rename a tenant (platform admin). The slug cannot change; a name another tenant holds, whatever its case, is a 409.")
            .Produces<TenantResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
