using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.OpenApi;
using Mediator;

namespace Did.Features.Apply;

public sealed record ApplyDialplanCommand : ICommand<ApplyJobResponse>;

/// <summary>Deploys the platform's current routing to every Asterisk node (see <see cref="ApplyPipeline"/>) and answers
/// the finished job. <see cref="PreviewDialplan"/> shows what it would change.</summary>
public static class ApplyDialplan
{
    public sealed class Handler(ApplyRunner runner, RequestContext ctx) : ICommandHandler<ApplyDialplanCommand, ApplyJobResponse>
    {
        public async ValueTask<ApplyJobResponse> Handle(ApplyDialplanCommand c, CancellationToken ct)
        {
            if (ctx.Role is not (Role.PlatformAdmin or Role.TenantAdmin))
                throw Problem.Forbidden("Your role may only preview an apply (POST /api/v1/apply/preview).");
            return await runner.ApplyAsync(ctx, ct);
        }
    }
}

/// <summary>One answer shape: the job. The retired <c>?dry_run=true</c> is refused with a pointer to the preview.</summary>
public sealed class ApplyDialplanModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply", "Apply")
            .MapPost("/", async Task<IResult> (IMediator mediator, CancellationToken ct) =>
            {
                var job = await mediator.Send(new ApplyDialplanCommand(), ct);
                return job.Status is ApplyJobStatus.Succeeded or ApplyJobStatus.NoChanges
                    ? TypedResults.Ok(job)
                    : TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
                        title: job.Status == ApplyJobStatus.RolledBack ? "Apply rolled back" : "Apply failed",
                        detail: job.Error, extensions: new Dictionary<string, object?> { ["job"] = job });
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithRetiredQueryParameter("dry_run", "A dry run is its own operation: POST /api/v1/apply/preview. POST /api/v1/apply always deploys.")
            .WithName("ApplyDialplan")
            .WithSummary("Render the dialplan from the database and deploy it to every Asterisk node: lint, back up, write atomically, reload, verify, roll back on failure. Platform and tenant admins only. A job that rolled back or failed answers 502 with the job in the problem's 'job' member. Data the renderer refuses answers 409 listing the problems of the caller's own tenant (a platform role sees all) and counting the others.")
            .Produces<ApplyJobResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
