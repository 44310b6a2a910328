using System.ComponentModel;
using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Drift;

public sealed record ListDriftChecksQuery(
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<DriftCheckResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("drift-checks");
}

/// <summary>The sort key of the check list, newest first: start times may repeat, ids break the tie.</summary>
public sealed record DriftCheckCursor(DateTime StartedAt, Guid Id);

public static class ListDriftChecks
{
    public sealed class Validator : AbstractValidator<ListDriftChecksQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListDriftChecksQuery, Paged<DriftCheckResponse>>
    {
        public async ValueTask<Paged<DriftCheckResponse>> Handle(ListDriftChecksQuery q, CancellationToken ct)
        {
            DriftAccess.Require(ctx);
            var after = q.After<DriftCheckCursor>();
            var keyset = after is null ? "" : "AND (started_at, id) < (@afterStartedAt, @afterId)";
            var args = new { afterStartedAt = after?.StartedAt, afterId = after?.Id, limit = q.Limit(), offset = q.Offset() };
            await using var conn = await db.OpenConnectionAsync(ct);
            var (total, rows) = await DriftCheckStore.PageAsync(conn, $"{keyset} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset", args, ct);
            return q.ToPaged(rows, total, c => new DriftCheckCursor(c.StartedAt, c.Id));
        }
    }
}

public sealed class ListDriftChecksModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply/drift-checks", "Apply")
            .MapGet("/", async ([AsParameters] ListDriftChecksQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListDriftChecks")
            .WithSummary("Drift checks, newest first, on demand and scheduled (Apply:DriftCheckMinutes). Platform admins and support. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<DriftCheckResponse>>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesValidationProblem();
}
