using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Drift;

public sealed record GetDriftCheckQuery(Guid Id) : IQuery<DriftCheckResponse>;

public static class GetDriftCheck
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetDriftCheckQuery, DriftCheckResponse>
    {
        public async ValueTask<DriftCheckResponse> Handle(GetDriftCheckQuery q, CancellationToken ct)
        {
            DriftAccess.Require(ctx);
            await using var conn = await db.OpenConnectionAsync(ct);
            return await DriftCheckStore.GetAsync(conn, q.Id, ct) ?? throw Problem.NotFound("Drift check", q.Id);
        }
    }
}

public sealed class GetDriftCheckModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply/drift-checks", "Apply")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetDriftCheckQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetDriftCheck")
            .WithSummary("One drift check with each node's result: in sync or not, the differing contexts and lines, the differing files. Platform admins and support.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
