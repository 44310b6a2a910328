using System.Text.Json.Serialization;
using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Body of PATCH /api/v1/dids/{id}/allocate.</summary>
public sealed record AllocateDidRequest(Guid TenantId) : ICommand<DidResponse>
{
    [JsonIgnore] public Guid Id { get; init; }
}

public static class AllocateDid
{
    public sealed class Validator : AbstractValidator<AllocateDidRequest>
    {
        public Validator() => RuleFor(r => r.TenantId).NotEmpty();
    }

    /// <summary>One conditional UPDATE decides: of two concurrent allocations the second finds the row no longer
    /// UNASSIGNED (it waits for the first's row lock, then re-checks) and gets the 409. Reading first only explains a refusal.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<AllocateDidRequest, DidResponse>
    {
        public async ValueTask<DidResponse> Handle(AllocateDidRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @TenantId)", new { r.TenantId }, tx, cancellationToken: ct)))
                throw Problem.Invalid("tenant_id", $"Tenant '{r.TenantId}' does not exist.");

            var row = await conn.QuerySingleOrDefaultAsync<DidRow>(new CommandDefinition($"""
                UPDATE phone_numbers SET status = 'ALLOCATED', tenant_id = @TenantId, updated_at = now()
                WHERE id = @Id AND status = 'UNASSIGNED'
                RETURNING {DidRow.Columns}
                """, new { r.Id, r.TenantId }, tx, cancellationToken: ct));
            if (row is null)
            {
                var held = await conn.QuerySingleOrDefaultAsync<(string Number, string Status, string? TenantName)>(new CommandDefinition("""
                    SELECT p.number, p.status, t.name FROM phone_numbers p LEFT JOIN tenants t ON t.id = p.tenant_id WHERE p.id = @Id
                    """, new { r.Id }, tx, cancellationToken: ct));
                if (held.Number is null) throw Problem.NotFound("DID", r.Id);
                throw Problem.Conflict(DidRules.HeldBy(held.Number, held.Status, held.TenantName) + ".");
            }

            var after = row.ToResponse();
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Allocate, AuditEntity.PhoneNumber, after.Id, r.TenantId,
                new { status = DidStatus.Unassigned, tenant_id = (Guid?)null }, after, ct);
            await tx.CommitAsync(ct);
            return after;
        }
    }
}

public sealed class AllocateDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapPatch("/{id:guid}/allocate", async (Guid id, AllocateDidRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body with { Id = id }, ct)))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithName("AllocateDid")
            .WithSummary("Allocate an UNASSIGNED number to a tenant (platform admin). 409 naming the holder when it is not UNASSIGNED; an unknown tenant is a 400 on tenant_id.")
            .Produces<DidResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
