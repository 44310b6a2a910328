using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Routing;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Ivrs;

public sealed record GetIvrQuery(Guid Id) : IQuery<IvrResponse>;

public static class GetIvr
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetIvrQuery, IvrResponse>
    {
        public async ValueTask<IvrResponse> Handle(GetIvrQuery q, CancellationToken ct) =>
            await TenantOwned.GetAsync<IvrStore, IvrResponse>(db, ctx, q.Id, ct);
    }
}

public sealed class GetIvrModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/ivrs", "IVRs")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetIvrQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetIvr")
            .WithSummary("Get an IVR with its keys. Another tenant's IVR is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
