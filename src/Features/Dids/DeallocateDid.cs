using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Dids;

public sealed record DeallocateDidCommand(Guid Id) : ICommand<DidResponse>;

public static class DeallocateDid
{
    /// <summary>The row is locked before the decision, so a concurrent allocate, assign or release waits for this one. An
    /// ASSIGNED number's route ends first (UNASSIGN audit row), then the number leaves its tenant: into quarantine for
    /// <c>Dids:QuarantineDays</c>, remembering the tenant, or straight to UNASSIGNED when that is 0. One transaction.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, NumberSettings settings) : ICommandHandler<DeallocateDidCommand, DidResponse>
    {
        public async ValueTask<DidResponse> Handle(DeallocateDidCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<DidRow>(new CommandDefinition(
                $"SELECT {DidRow.Columns} FROM phone_numbers WHERE id = @Id FOR UPDATE", new { c.Id }, tx, cancellationToken: ct))
                ?? throw Problem.NotFound("DID", c.Id);
            var before = await row.WithAssignmentAsync(conn, tx, ct);
            switch (before.Status)
            {
                case DidStatus.Unassigned:
                    throw Problem.Conflict($"DID {before.Number} is not allocated.");
                case DidStatus.Quarantined:
                    throw Problem.Conflict($"DID {before.Number} is not allocated: it is already quarantined until {NumberQuarantine.Date(before.QuarantineUntil!.Value)}.");
                case DidStatus.Assigned:
                    await NumberQuarantine.EndRoutesAsync(conn, tx, ctx, [c.Id], ct);
                    break;
            }

            var after = (await conn.QuerySingleAsync<DidRow>(new CommandDefinition($"""
                UPDATE phone_numbers SET {NumberQuarantine.TakeBack} WHERE id = @Id
                RETURNING {DidRow.Columns}
                """, new { c.Id, quarantineDays = settings.QuarantineDays }, tx, cancellationToken: ct))).ToResponse();
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Deallocate, AuditEntity.PhoneNumber, c.Id, before.TenantId, before, after, ct);
            await tx.CommitAsync(ct);
            return after;
        }
    }
}

public sealed class DeallocateDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapPatch("/{id:guid}/deallocate", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new DeallocateDidCommand(id), ct)))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithName("DeallocateDid")
            .WithSummary("Take an ALLOCATED or ASSIGNED number back from its tenant (platform admin): an ASSIGNED number's route ends in the same " +
                         "transaction; the number becomes QUARANTINED for Dids__QuarantineDays days (default 30; 0: straight to UNASSIGNED), " +
                         "during which only that tenant may have it back. 409 when it is not allocated (UNASSIGNED or already QUARANTINED).")
            .Produces<DidResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
