using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Tenants;

public sealed record GetTenantQuery(Guid Id) : IQuery<TenantResponse>;

public static class GetTenant
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetTenantQuery, TenantResponse>
    {
        public async ValueTask<TenantResponse> Handle(GetTenantQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            return await conn.QuerySingleOrDefaultAsync<TenantResponse>(new CommandDefinition($"""
                SELECT {TenantSql.Columns} FROM tenants WHERE id = @id AND (@scope::uuid IS NULL OR id = @scope)
                """, new { id = q.Id, scope = ctx.TenantScope }, cancellationToken: ct))
                ?? throw Problem.NotFound("Tenant", q.Id);
        }
    }
}

public sealed class GetTenantModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/tenants", "Tenants")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetTenantQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetTenant")
            .WithSummary("Get a tenant. Another tenant's id is a 404 for a tenant admin.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
