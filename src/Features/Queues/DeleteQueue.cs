using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Mediator;
using Npgsql;

namespace Did.Features.Queues;

public sealed record DeleteQueueCommand(Guid Id) : ICommand;

public static class DeleteQueue
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<DeleteQueueCommand>
    {
        public async ValueTask<Unit> Handle(DeleteQueueCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var found = await QueueStore.ReadAsync(conn, tx, "WHERE id = @id AND (@scope::uuid IS NULL OR tenant_id = @scope) FOR UPDATE",
                new { id = c.Id, scope = ctx.TenantScope }, ct);
            var before = found.Count == 1 ? found[0] : throw Problem.NotFound("Queue", c.Id);
            await RouteReferences.EnsureUnreferencedAsync(conn, tx, DestinationType.Queue, c.Id, $"Queue '{before.Name}'", ct);
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM queues WHERE id = @id", new { id = c.Id }, tx, cancellationToken: ct));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Delete, AuditEntity.Queue, c.Id, before.TenantId, before, null, ct);
            await tx.CommitAsync(ct);
            return Unit.Value;
        }
    }
}

public sealed class DeleteQueueModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/queues", "Queues")
            .MapDelete("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DeleteQueueCommand(id), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("DeleteQueue")
            .WithSummary("Delete a queue; 409 listing the numbers and IVRs that still send calls to it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
