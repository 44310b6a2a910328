using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Dids;

public sealed record GetDidQuery(Guid Id) : IQuery<DidResponse>;

public static class GetDid
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetDidQuery, DidResponse>
    {
        public async ValueTask<DidResponse> Handle(GetDidQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<DidRow>(new CommandDefinition($"""
                SELECT {DidRow.Columns} FROM phone_numbers WHERE id = @id AND (@scope::uuid IS NULL OR tenant_id = @scope)
                """, new { id = q.Id, scope = ctx.TenantScope }, cancellationToken: ct))
                ?? throw Problem.NotFound("DID", q.Id);
            return await row.WithAssignmentAsync(conn, null, ct);
        }
    }
}

public sealed class GetDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetDidQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetDid")
            .WithSummary("Get a number. A number outside a tenant admin's tenant is a 404.")
            .Produces<DidResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
}
