using System.ComponentModel;
using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Routing;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Queues;

public sealed record ListQueuesQuery(
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<QueueResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("queues", ("tenant_id", TenantId));
}

public static class ListQueues
{
    public sealed class Validator : AbstractValidator<ListQueuesQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListQueuesQuery, Paged<QueueResponse>>
    {
        public async ValueTask<Paged<QueueResponse>> Handle(ListQueuesQuery q, CancellationToken ct) =>
            await TenantOwned.ListAsync<QueueStore, QueueResponse>(db, ctx, q.TenantId, q, ct);
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
            .WithSummary("List queues. A tenant admin sees only its tenant's. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<QueueResponse>>()
            .ProducesValidationProblem();
}
