using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Mediator;
using Npgsql;

namespace Did.Features.Schedules;

public sealed record GetScheduleQuery(Guid Id) : IQuery<ScheduleResponse>;

public static class GetSchedule
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetScheduleQuery, ScheduleResponse>
    {
        public async ValueTask<ScheduleResponse> Handle(GetScheduleQuery q, CancellationToken ct) =>
            await TenantOwned.GetAsync<ScheduleStore, ScheduleResponse>(db, ctx, q.Id, ct);
    }
}

public sealed class GetScheduleModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/schedules", "Schedules")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetScheduleQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetSchedule")
            .WithSummary("Get a schedule with its opening hours and closed dates. Another tenant's schedule is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
