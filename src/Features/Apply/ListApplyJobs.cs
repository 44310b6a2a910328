using System.ComponentModel;
using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Apply;

public sealed record ListApplyJobsQuery(
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<ApplyJobResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("apply-jobs");
}

/// <summary>The sort key of the job list, newest first: start times may repeat, ids break the tie.</summary>
public sealed record ApplyJobCursor(DateTime StartedAt, Guid Id);

/// <summary>Apply jobs are platform-wide; a tenant admin sees those <see cref="ApplyJobStore.TenantAdminReads"/> selects.</summary>
public static class ListApplyJobs
{
    public sealed class Validator : AbstractValidator<ListApplyJobsQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListApplyJobsQuery, Paged<ApplyJobResponse>>
    {
        public async ValueTask<Paged<ApplyJobResponse>> Handle(ListApplyJobsQuery q, CancellationToken ct)
        {
            var where = $"WHERE {ApplyJobStore.Readable(ctx)}";
            var after = q.After<ApplyJobCursor>();
            var keyset = after is null ? "" : "AND (started_at, id) < (@afterStartedAt, @afterId)";
            var args = new
            {
                actor = ctx.ActorId, tenant = ctx.TenantId, afterStartedAt = after?.StartedAt, afterId = after?.Id,
                limit = q.Limit(), offset = q.Offset(),
            };
            await using var conn = await db.OpenConnectionAsync(ct);
            var (total, rows) = await ApplyJobStore.PageAsync(conn, where, $"{keyset} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset", args, ct);
            return q.ToPaged([.. rows.Select(j => j.For(ctx))], total, j => new ApplyJobCursor(j.StartedAt, j.Id));
        }
    }
}

public sealed class ListApplyJobsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply/jobs", "Apply")
            .MapGet("/", async ([AsParameters] ListApplyJobsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListApplyJobs")
            .WithSummary("Apply jobs, newest first, with their steps. A tenant admin sees the jobs that carried its requests (its own and merged ones, whatever their end) and the jobs that changed its tenant's live routing (which its audit log names), without their platform-wide detail (as GET /apply/jobs/{id}). Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<ApplyJobResponse>>()
            .ProducesValidationProblem();
}
