using Carter;
using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

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
                return new ApplyOutcome(null, await runner.PreviewAsync(TenantView, ShowFinding, ct));
            if (ctx.Role is not (Role.PlatformAdmin or Role.TenantAdmin))
                throw Problem.Forbidden("Your role may only preview an apply (dry_run=true).");
            return new ApplyOutcome(await runner.ApplyAsync(ctx, ct), null);
        }

        /// <summary>A tenant admin's dry run shows only its own contexts, its own numbers' lines and its own queues.</summary>
        private DiffLineFilter? TenantView(DialplanSnapshot snapshot)
        {
            if (ctx.Role != Role.TenantAdmin) return null;
            var tenant = snapshot.Tenants.FirstOrDefault(t => t.Id == ctx.TenantId);
            if (tenant is null) return (_, _) => false;
            var own = ContextNames.Tenant(tenant.Slug);
            var numbers = snapshot.Numbers.Where(n => n.TenantId == tenant.Id).SelectMany(n => new[] { n.Number, n.Number[1..] }).ToHashSet(StringComparer.Ordinal);
            var queues = tenant.Queues.Select(q => ContextNames.QueueSection(tenant.Slug, q.Name)).ToHashSet(StringComparer.Ordinal);
            return (section, line) =>
                section == own || section.StartsWith(own + "-ivr-", StringComparison.Ordinal) || section.StartsWith(own + "-queue-", StringComparison.Ordinal)
                || queues.Contains(section)
                || (section.StartsWith(ContextNames.ShardPrefix, StringComparison.Ordinal) && ExtensionOf(line) is { } ext && numbers.Contains(ext));
        }

        private bool ShowFinding(LintFinding f) =>
            ctx.Role != Role.TenantAdmin;

        private static string? ExtensionOf(string line)
        {
            const string exten = "exten => ";
            if (!line.StartsWith(exten, StringComparison.Ordinal)) return null;
            var comma = line.IndexOf(',', exten.Length);
            return comma < 0 ? null : line[exten.Length..comma];
        }
    }
}

public sealed class ApplyDialplanModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply", "Apply")
            .MapPost("/", async Task<IResult> ([FromQuery(Name = "dry_run")] bool? dryRun, IMediator mediator, CancellationToken ct) =>
            {
                var outcome = await mediator.Send(new ApplyDialplanCommand(dryRun ?? false), ct);
                if (outcome.Preview is { } preview) return TypedResults.Ok(preview);
                var job = outcome.Job!;
                return job.Status is ApplyJobStatus.Succeeded or ApplyJobStatus.NoChanges
                    ? TypedResults.Ok(job)
                    : TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
                        title: job.Status == ApplyJobStatus.RolledBack ? "Apply rolled back" : "Apply failed",
                        detail: job.Error, extensions: new Dictionary<string, object?> { ["job"] = job });
            })
            .RequireAuthorization(Policies.Reader)
            .WithName("ApplyDialplan")
            .WithSummary("Render the dialplan from the database and deploy it to every Asterisk node: lint, back up, write atomically, reload, verify, roll back on failure. With dry_run=true (the only mode for SUPPORT) returns the diff and changes nothing. A job that rolled back or failed answers 502 with the job.")
            .Produces<ApplyJobResponse>()
            .Produces<ApplyPreviewResponse>()
            .AddOpenApiOperationTransformer((op, ctx, _) =>
            {
                // 200 is the finished job, or with dry_run=true the preview: say so, so a generated client can tell them apart.
                op.Responses!["200"].Content!["application/json"].Schema = new OpenApiSchema
                {
                    OneOf = [new OpenApiSchemaReference(nameof(ApplyJobResponse), ctx.Document), new OpenApiSchemaReference(nameof(ApplyPreviewResponse), ctx.Document)],
                };
                return Task.CompletedTask;
            })
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);
}
