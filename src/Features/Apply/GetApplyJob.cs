using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Apply;

public sealed record GetApplyJobQuery(Guid Id) : IQuery<ApplyJobResponse>;

/// <summary>One apply job; a tenant admin reads only the jobs <see cref="ApplyJobStore.TenantAdminReads"/> selects (another is a 404).</summary>
public static class GetApplyJob
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetApplyJobQuery, ApplyJobResponse>
    {
        public async ValueTask<ApplyJobResponse> Handle(GetApplyJobQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var job = await ApplyJobStore.GetAsync(conn, q.Id, ctx, ct) ?? throw Problem.NotFound("Apply job", q.Id);
            return job.For(ctx);
        }
    }
}

public sealed class GetApplyJobModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply/jobs", "Apply")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetApplyJobQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetApplyJob")
            .WithSummary("One apply job with its steps, timings, diff stats, error and the warnings of its render (stale data left out of the dialplan; a tenant admin sees only its own tenant's). A tenant admin reads the jobs that carried its requests (its own and merged ones, whatever their end) and the jobs that changed its tenant's live routing, which its audit log names (APPLY of TENANT, after.job_id); any other job is a 404. It sees no platform-wide detail: numbers_routed, content_sha256 and diff_stats are null, and the error and the outputs of steps other than backup and write say only that they are shown to platform admins and support.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
