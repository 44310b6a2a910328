using Carter;
using Did.Infrastructure.Auth;
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
            await TenantOwned.DeleteAsync<QueueStore, QueueResponse>(db, ctx, c.Id, ct);
            return Unit.Value;
        }
    }
}

public sealed class DeleteQueueModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/queues", "Queues")
            .MapDeleteCommand("/{id:guid}", id => new DeleteQueueCommand(id))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("DeleteQueue")
            .WithSummary("Delete a queue; 409 listing the numbers and IVRs that still send calls to it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
