using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Queues;

public sealed record GetQueueQuery(Guid Id) : IQuery<QueueResponse>;

public static class GetQueue
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetQueueQuery, QueueResponse>
    {
        public async ValueTask<QueueResponse> Handle(GetQueueQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var found = await QueueStore.ReadAsync(conn, null, "WHERE id = @id AND (@scope::uuid IS NULL OR tenant_id = @scope)",
                new { id = q.Id, scope = ctx.TenantScope }, ct);
            return found.Count == 1 ? found[0] : throw Problem.NotFound("Queue", q.Id);
        }
    }
}

public sealed class GetQueueModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/queues", "Queues")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetQueueQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetQueue")
            .WithSummary("Get a queue with its members. Another tenant's queue is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
