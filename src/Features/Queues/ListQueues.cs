using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Queues;

public sealed record ListQueuesQuery(
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "page")] int Page = 1,
    [property: FromQuery(Name = "page_size")] int PageSize = Paging.DefaultPageSize) : IQuery<Paged<QueueResponse>>, IPaged;

public static class ListQueues
{
    public sealed class Validator : AbstractValidator<ListQueuesQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListQueuesQuery, Paged<QueueResponse>>
    {
        public async ValueTask<Paged<QueueResponse>> Handle(ListQueuesQuery q, CancellationToken ct)
        {
            const string where = "WHERE (@scope::uuid IS NULL OR tenant_id = @scope) AND (@tenantId::uuid IS NULL OR tenant_id = @tenantId)";
            var args = new { scope = ctx.TenantScope, q.TenantId, limit = q.PageSize, offset = q.Offset() };
            await using var conn = await db.OpenConnectionAsync(ct);
            var total = await conn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM queues {where}", args, cancellationToken: ct));
            var items = await QueueStore.ReadAsync(conn, null, $"{where} ORDER BY tenant_id, name LIMIT @limit OFFSET @offset", args, ct);
            return new Paged<QueueResponse>(items, total, q.Page, q.PageSize);
        }
    }
}

public sealed class ListQueuesModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/queues", "Queues")
            .MapGet("/", async ([AsParameters] ListQueuesQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListQueues")
            .WithSummary("List queues. A tenant admin sees only its tenant's.")
            .ProducesValidationProblem();
}
