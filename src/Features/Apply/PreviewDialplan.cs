using System.ComponentModel;
using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace Did.Features.Apply;

public sealed record PreviewDialplanQuery(Guid? TenantId = null) : IQuery<ApplyPreviewResponse>;

/// <summary>What the caller's apply would change, without changing anything: renders the same scoped snapshot the apply
/// would deploy, lints it and diffs it against the first node's live files, takes no lock. A tenant admin sees only its
/// own part (<see cref="Did.Dialplan.TenantDialplanView"/>).</summary>
public static class PreviewDialplan
{
    public sealed class Handler(ApplyRunner runner, RequestContext ctx) : IQueryHandler<PreviewDialplanQuery, ApplyPreviewResponse>
    {
        public async ValueTask<ApplyPreviewResponse> Handle(PreviewDialplanQuery q, CancellationToken ct) =>
            await runner.PreviewAsync(ctx, q.TenantId, ct);
    }
}

public sealed class PreviewDialplanModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply", "Apply")
            .MapPost("/preview", async (
                    [FromQuery(Name = "tenant_id"), Description(ApplyDialplan.TenantIdDescription)] Guid? tenantId, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new PreviewDialplanQuery(tenantId), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("PreviewDialplan")
            .WithSummary("What the caller's apply would change, without changing anything: render exactly what it would deploy (a tenant admin's own tenant, or with tenant_id one tenant, every other tenant as last deployed), lint it and diff it against the first node's live files. Takes no lock. Platform admins, support and tenant admins; a tenant admin sees only its own contexts, numbers and queues. `warnings` lists the stale data the render leaves out of the dialplan (a rule or failover that leads nowhere, a number whose destination is gone), each with its tenant and number; a tenant admin sees only its own tenant's. Data the renderer refuses answers 409, as for an apply. A 503 with Retry-After when the service is already rendering as many previews and pending simulations as it may (Apply__RenderConcurrency).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
