using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Tenants;

public sealed record ListTenantsQuery(
    [property: FromQuery(Name = "page")] int Page = 1,
    [property: FromQuery(Name = "page_size")] int PageSize = Paging.DefaultPageSize) : IQuery<Paged<TenantResponse>>, IPaged;

public static class ListTenants
{
    public sealed class Validator : AbstractValidator<ListTenantsQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListTenantsQuery, Paged<TenantResponse>>
    {
        public async ValueTask<Paged<TenantResponse>> Handle(ListTenantsQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM tenants WHERE (@scope::uuid IS NULL OR id = @scope);
                SELECT {TenantSql.Columns} FROM tenants WHERE (@scope::uuid IS NULL OR id = @scope)
                ORDER BY name, id LIMIT @limit OFFSET @offset;
                """, new { scope = ctx.TenantScope, limit = q.PageSize, offset = q.Offset() }, cancellationToken: ct));
            var total = await results.ReadSingleAsync<long>();
            var items = (await results.ReadAsync<TenantResponse>()).AsList();
            return new Paged<TenantResponse>(items, total, q.Page, q.PageSize);
        }
    }
}

public sealed class ListTenantsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/tenants", "Tenants")
            .MapGet("/", async ([AsParameters] ListTenantsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListTenants")
            .WithSummary("List tenants by name. A tenant admin sees only its own tenant.")
            .ProducesValidationProblem();
}
