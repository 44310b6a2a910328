using System.ComponentModel;
using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Schedules;

public sealed record ListSchedulesQuery(
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<ScheduleResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("schedules", ("tenant_id", TenantId));
}

public static class ListSchedules
{
    public sealed class Validator : AbstractValidator<ListSchedulesQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListSchedulesQuery, Paged<ScheduleResponse>>
    {
        public async ValueTask<Paged<ScheduleResponse>> Handle(ListSchedulesQuery q, CancellationToken ct) =>
            await TenantOwned.ListAsync<ScheduleStore, ScheduleResponse>(db, ctx, q.TenantId, q, ct);
    }
}

public sealed class ListSchedulesModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/schedules", "Schedules")
            .MapGet("/", async ([AsParameters] ListSchedulesQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListSchedules")
            .WithSummary("List schedules. A tenant admin sees only its tenant's. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<ScheduleResponse>>()
            .ProducesValidationProblem();
}
