using System.ComponentModel;
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
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<TenantResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("tenants");
}

/// <summary>The sort key of the tenant list: the name (unique, ux_tenants_name), then the id, which keeps the key total
/// whatever the database's collation makes of two names.</summary>
public sealed record TenantCursor(string Name, Guid Id);

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
            var after = q.After<TenantCursor>();
            var keyset = after is null ? "" : "AND (name, id) > (@afterName, @afterId)";
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await PageSnapshot.BeginAsync(conn, ct);
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM tenants WHERE (@scope::uuid IS NULL OR id = @scope);
                SELECT {TenantSql.Columns} FROM tenants WHERE (@scope::uuid IS NULL OR id = @scope) {keyset}
                ORDER BY name, id LIMIT @limit OFFSET @offset;
                """, new { scope = ctx.TenantScope, afterName = after?.Name, afterId = after?.Id, limit = q.Limit(), offset = q.Offset() },
                tx, cancellationToken: ct));
            var total = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<TenantResponse>()).AsList();
            return q.ToPaged(rows, total, t => new TenantCursor(t.Name, t.Id));
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
            .WithSummary("List tenants by name. A tenant admin sees only its own tenant. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<TenantResponse>>()
            .ProducesValidationProblem();
}
