using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.OpenApi;
using Mediator;

namespace Did.Features.Apply;

public sealed record ApplyDialplanCommand(bool DryRun) : ICommand<ApplyOutcome>;

/// <summary>Either a finished job or a dry-run preview.</summary>
public sealed record ApplyOutcome(ApplyJobResponse? Job, ApplyPreviewResponse? Preview);

public static class ApplyDialplan
{
    public sealed class Handler(ApplyRunner runner, RequestContext ctx) : ICommandHandler<ApplyDialplanCommand, ApplyOutcome>
    {
        public async ValueTask<ApplyOutcome> Handle(ApplyDialplanCommand c, CancellationToken ct)
        {
            if (c.DryRun)
                return new ApplyOutcome(null, await runner.PreviewAsync(ctx.Role == Role.TenantAdmin ? ctx.TenantId ?? Guid.Empty : null, ct));
            if (ctx.Role is not (Role.PlatformAdmin or Role.TenantAdmin))
                throw Problem.Forbidden("Your role may only preview an apply (POST /api/v1/apply/preview).");
            return new ApplyOutcome(await runner.ApplyAsync(ctx, ct), null);
        }
    }
}

/// <summary>Two operations, one answer shape each: POST /apply deploys and answers the job; POST /apply/preview
/// answers the diff and changes nothing. The retired <c>?dry_run=true</c> is refused with a pointer to the preview.</summary>
public sealed class ApplyDialplanModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var apply = app.MapApiGroup("/api/v1/apply", "Apply");

        apply.MapPost("/", async Task<IResult> (IMediator mediator, CancellationToken ct) =>
            {
                var job = (await mediator.Send(new ApplyDialplanCommand(DryRun: false), ct)).Job!;
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

        apply.MapPost("/preview", async (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok((await mediator.Send(new ApplyDialplanCommand(DryRun: true), ct)).Preview!))
            .RequireAuthorization(Policies.Reader)
            .WithName("PreviewDialplan")
            .WithSummary("What an apply would change, without changing anything: render the dialplan, lint it and diff it against the first node's live files. Takes no lock. Platform admins, support and tenant admins; a tenant admin sees only its own contexts, numbers and queues. Data the renderer refuses answers 409, as for an apply.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }
}
