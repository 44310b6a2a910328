using System.ComponentModel;
using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.OpenApi;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace Did.Features.Apply;

/// <param name="TenantId">Deploy only this tenant; every other tenant stays as last deployed. A tenant admin's apply is
/// always of its own tenant (naming another is a 404); a platform admin's without it is of the whole platform.</param>
public sealed record ApplyDialplanCommand(Guid? TenantId = null) : ICommand<ApplyJobResponse>;

/// <summary>Deploys the caller's scope to every Asterisk node (see <see cref="ApplyPipeline"/>) and answers the job that
/// carried the request: a request that arrives while an apply runs joins the next run (<see cref="ApplyQueue"/>).
/// <see cref="PreviewDialplan"/> shows what it would change.</summary>
public static class ApplyDialplan
{
    public const string TenantIdDescription =
        "Deploy only this tenant's pending changes; every other tenant stays exactly as last deployed. A tenant admin always deploys its own " +
        "tenant (another tenant's id is a 404); a platform admin without it deploys the whole platform.";

    public sealed class Handler(ApplyRunner runner, RequestContext ctx) : ICommandHandler<ApplyDialplanCommand, ApplyJobResponse>
    {
        public async ValueTask<ApplyJobResponse> Handle(ApplyDialplanCommand c, CancellationToken ct)
        {
            if (ctx.Role is not (Role.PlatformAdmin or Role.TenantAdmin))
                throw Problem.Forbidden("Your role may only preview an apply (POST /api/v1/apply/preview).");
            return await runner.ApplyAsync(ctx, c.TenantId, ct);
        }
    }
}

/// <summary>One answer shape: the job. The retired <c>?dry_run=true</c> is refused with a pointer to the preview.</summary>
public sealed class ApplyDialplanModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply", "Apply")
            .MapPost("/", async Task<IResult> (
                [FromQuery(Name = "tenant_id"), Description(ApplyDialplan.TenantIdDescription)] Guid? tenantId, IMediator mediator, CancellationToken ct) =>
            {
                var job = await mediator.Send(new ApplyDialplanCommand(tenantId), ct);
                return job.Status is ApplyJobStatus.Succeeded or ApplyJobStatus.NoChanges
                    ? TypedResults.Ok(job)
                    : TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
                        title: job.Status == ApplyJobStatus.RolledBack ? "Apply rolled back" : "Apply failed",
                        detail: job.Error, extensions: new Dictionary<string, object?> { ["job"] = job });
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithRetiredQueryParameter("dry_run", "A dry run is its own operation: POST /api/v1/apply/preview. POST /api/v1/apply always deploys.")
            .WithName("ApplyDialplan")
            .WithSummary("Render the dialplan and deploy it to every Asterisk node: lint, back up, write atomically, reload, verify, roll back on failure. Platform and tenant admins only. A tenant admin deploys its own tenant's pending changes and leaves every other tenant exactly as last deployed; a platform admin deploys the whole platform, or one tenant with tenant_id. A request that arrives while an apply runs waits for the next run, which deploys everything committed by then, and answers the job that carried it. A tenant's admins may apply once per Apply:TenantMinIntervalSeconds (429 with Retry-After). The job's warnings list the stale data its render left out of the dialplan (a tenant admin sees only its own tenant's). A job that rolled back or failed answers 502 with the job in the problem's 'job' member. Data the renderer refuses answers 409 listing the problems of the caller's own tenant (a platform role sees all) and counting the others.")
            .Produces<ApplyJobResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
