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

namespace Did.Features.Ivrs;

public sealed record ListIvrsQuery(
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<IvrResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("ivrs", ("tenant_id", TenantId));
}

public static class ListIvrs
{
    public sealed class Validator : AbstractValidator<ListIvrsQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListIvrsQuery, Paged<IvrResponse>>
    {
        public async ValueTask<Paged<IvrResponse>> Handle(ListIvrsQuery q, CancellationToken ct) =>
            await TenantOwned.ListAsync<IvrStore, IvrResponse>(db, ctx, q.TenantId, q, ct);
    }
}

public sealed class ListIvrsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/ivrs", "IVRs")
            .MapGet("/", async ([AsParameters] ListIvrsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListIvrs")
            .WithSummary("List IVRs. A tenant admin sees only its tenant's. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<IvrResponse>>()
            .ProducesValidationProblem();
}
