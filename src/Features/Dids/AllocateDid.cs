using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Body of PATCH /api/v1/dids/{id}/allocate.</summary>
public sealed record AllocateDidRequest(Guid TenantId) : ICommand<DidResponse>
{
    /// <summary>From the route; internal, so a body naming "id" is refused
    /// (docs/decisions.md, "A value is read as sent, or refused").</summary>
    internal Guid Id { get; init; }
}

public static class AllocateDid
{
    public sealed class Validator : AbstractValidator<AllocateDidRequest>
    {
        public Validator() => RuleFor(r => r.TenantId).NotEmpty();
    }

    /// <summary>The number is locked first, so of two concurrent allocations the second waits for the first and then finds
    /// it no longer free (409). Free for a tenant: UNASSIGNED, or QUARANTINED from that same tenant (or past its date).</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<AllocateDidRequest, DidResponse>
    {
        private sealed record Held(string Number, string Status, string? TenantName, DateTime? QuarantineUntil, Guid? QuarantinedFromTenantId,
            string? QuarantinedFromName);

        public async ValueTask<DidResponse> Handle(AllocateDidRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await TenantExistence.EnsureExistsAsync(conn, tx, r.TenantId, ct);

            var held = await conn.QuerySingleOrDefaultAsync<Held>(new CommandDefinition("""
                SELECT p.number, p.status, t.name AS tenant_name, p.quarantine_until, p.quarantined_from_tenant_id, q.name AS quarantined_from_name
                FROM phone_numbers p LEFT JOIN tenants t ON t.id = p.tenant_id LEFT JOIN tenants q ON q.id = p.quarantined_from_tenant_id
                WHERE p.id = @Id
                FOR UPDATE OF p
                """, new { r.Id }, tx, cancellationToken: ct)) ?? throw Problem.NotFound("DID", r.Id);
            var row = await conn.QuerySingleOrDefaultAsync<DidRow>(new CommandDefinition($"""
                UPDATE phone_numbers p SET {NumberQuarantine.Give}
                WHERE p.id = @Id AND {NumberQuarantine.FreeFor("p", "@TenantId")}
                RETURNING {DidRow.ColumnsOf("p")}
                """, new { r.Id, r.TenantId }, tx, cancellationToken: ct));
            if (row is null)
                throw Problem.Conflict(held.Status == "QUARANTINED"
                    ? NumberQuarantine.Refusal(held.Number, held.QuarantineUntil!.Value, held.QuarantinedFromName) + "."
                    : DidRules.HeldBy(held.Number, held.Status, held.TenantName) + ".");

            var after = row.ToResponse();
            // The row is the new tenant's (its history and audit log show it): an expired quarantine from another tenant
            // does not name that tenant here; the DEALLOCATE row does, for the platform.
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Allocate, AuditEntity.PhoneNumber, after.Id, r.TenantId,
                held.Status == "QUARANTINED"
                    ? new { status = DidStatus.Quarantined, tenant_id = (Guid?)null, quarantine_until = held.QuarantineUntil,
                            quarantined_from_tenant_id = held.QuarantinedFromTenantId == r.TenantId ? held.QuarantinedFromTenantId : null }
                    : (object)new { status = DidStatus.Unassigned, tenant_id = (Guid?)null }, after, ct);
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
            .WithSummary("Allocate an UNASSIGNED number to a tenant (platform admin), or a QUARANTINED one back to the tenant it was taken from. " +
                         "409 naming the holder when it is held, or the date it frees up when it is quarantined from another tenant; an unknown " +
                         "tenant is a 400 on tenant_id.")
            .Produces<DidResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
