using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Apply;

public sealed record ListApplyJobsQuery(
    [property: FromQuery(Name = "page")] int Page = 1,
    [property: FromQuery(Name = "page_size")] int PageSize = Paging.DefaultPageSize) : IQuery<Paged<ApplyJobResponse>>, IPaged;

public sealed record GetApplyJobQuery(Guid Id) : IQuery<ApplyJobResponse>;

/// <summary>Apply jobs are platform-wide; a tenant admin sees the ones it started.</summary>
public static class ApplyJobs
{
    public sealed class Validator : AbstractValidator<ListApplyJobsQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class ListHandler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListApplyJobsQuery, Paged<ApplyJobResponse>>
    {
        public async ValueTask<Paged<ApplyJobResponse>> Handle(ListApplyJobsQuery q, CancellationToken ct)
        {
            const string where = "WHERE (@mine::uuid IS NULL OR requested_by = @mine)";
            var args = new { mine = ctx.Role == Role.TenantAdmin ? ctx.ActorId : null, limit = q.PageSize, offset = q.Offset() };
            await using var conn = await db.OpenConnectionAsync(ct);
            using var r = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM apply_jobs {where};
                SELECT id FROM apply_jobs {where} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset;
                """, args, cancellationToken: ct));
            var total = await r.ReadSingleAsync<long>();
            var items = new List<ApplyJobResponse>();
            foreach (var id in await r.ReadAsync<Guid>()) items.Add((await ApplyJobStore.GetAsync(conn, id, ct))!);
            return new Paged<ApplyJobResponse>(items, total, q.Page, q.PageSize);
        }
    }

    public sealed class GetHandler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetApplyJobQuery, ApplyJobResponse>
    {
        public async ValueTask<ApplyJobResponse> Handle(GetApplyJobQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var job = await ApplyJobStore.GetAsync(conn, q.Id, ct);
            if (job is null || (ctx.Role == Role.TenantAdmin && job.RequestedBy != ctx.ActorId))
                throw Problem.NotFound("Apply job", q.Id);
            return job;
        }
    }
}

public sealed class ApplyJobsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var jobs = app.MapApiGroup("/api/v1/apply/jobs", "Apply");
        jobs.MapGet("/", async ([AsParameters] ListApplyJobsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListApplyJobs")
            .WithSummary("Apply jobs, newest first, with their steps. A tenant admin sees the jobs it started.")
            .ProducesValidationProblem();
        jobs.MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetApplyJobQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetApplyJob")
            .WithSummary("One apply job with its steps, timings, diff stats and error.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
