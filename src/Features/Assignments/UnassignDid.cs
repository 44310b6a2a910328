using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Assignments;

public sealed record UnassignDidCommand(Guid Id) : ICommand;

public static class UnassignDid
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<UnassignDidCommand>
    {
        public async ValueTask<Unit> Handle(UnassignDidCommand c, CancellationToken ct)
        {
            // The transaction begins in the lock's batch and commits in the write's (AssignmentStore says why).
            await using var conn = await db.OpenConnectionAsync(ct);
            var (number, before, _) = await AssignmentStore.BeginLockAndReadAsync(conn, c.Id, ctx.TenantScope, null, ct);
            if (before is null)
                throw new ProblemException(StatusCodes.Status404NotFound, "Not found", $"DID {number.Number} is not assigned.");
            await conn.ExecuteAsync(new CommandDefinition($"""
                WITH route AS (DELETE FROM did_assignments WHERE phone_number_id = @AuditEntityId),
                status AS (UPDATE phone_numbers SET status = 'ALLOCATED', updated_at = now() WHERE id = @AuditEntityId)
                {AuditLog.InsertSql};
                COMMIT;
                """, new AuditParameters(ctx, AuditAction.Unassign, AuditEntity.PhoneNumber, number.Id, number.TenantId, before, null),
                cancellationToken: ct)); // one statement, COMMIT in the batch: see AssignDid
            return Unit.Value;
        }
    }
}

public sealed class UnassignDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "Assignments")
            .MapDeleteCommand("/{id:guid}/assign", id => new UnassignDidCommand(id))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("UnassignDid")
            .WithSummary("Remove a number's destination; it becomes ALLOCATED again. 404 if it is not assigned.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
