using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Routing;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Queues;

public sealed record GetQueueQuery(Guid Id) : IQuery<QueueResponse>;

public static class GetQueue
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetQueueQuery, QueueResponse>
    {
        public async ValueTask<QueueResponse> Handle(GetQueueQuery q, CancellationToken ct) =>
            await TenantOwned.GetAsync<QueueStore, QueueResponse>(db, ctx, q.Id, ct);
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
