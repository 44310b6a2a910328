using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Mediator;

namespace Did.Features.Apply;

public sealed record PreviewDialplanQuery : IQuery<ApplyPreviewResponse>;

/// <summary>What an apply would change, without changing anything: renders, lints and diffs against the first node's
/// live files, takes no lock. A tenant admin sees only its own part (<see cref="Did.Dialplan.TenantDialplanView"/>).</summary>
public static class PreviewDialplan
{
    public sealed class Handler(ApplyRunner runner, RequestContext ctx) : IQueryHandler<PreviewDialplanQuery, ApplyPreviewResponse>
    {
        public async ValueTask<ApplyPreviewResponse> Handle(PreviewDialplanQuery q, CancellationToken ct) =>
            await runner.PreviewAsync(ctx.Role == Role.TenantAdmin ? ctx.TenantId ?? Guid.Empty : null, ct);
    }
}

public sealed class PreviewDialplanModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply", "Apply")
            .MapPost("/preview", async (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new PreviewDialplanQuery(), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("PreviewDialplan")
            .WithSummary("What an apply would change, without changing anything: render the dialplan, lint it and diff it against the first node's live files. Takes no lock. Platform admins, support and tenant admins; a tenant admin sees only its own contexts, numbers and queues. Data the renderer refuses answers 409, as for an apply.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
