using Carter;
using Dapper;
using Did.Features.Apply;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Drift;

/// <summary>The newest finished apply job that compared this node's files (its <c>diff:node</c> step).</summary>
public sealed record NodeLastApply(Guid JobId, ApplyJobStatus Status, DateTime FinishedAt);

/// <summary>The newest finished drift check, and what it found on this node (<see cref="InSync"/> null: not checked).</summary>
public sealed record NodeLastDriftCheck(Guid CheckId, DriftCheckStatus Status, DateTime FinishedAt, bool? InSync);

/// <param name="InSync">What the newest conclusive drift check since the last successful apply found; null when no
/// such check has run yet (the node's state since that apply is unknown).</param>
public sealed record NodeApplyStatus(string Node, NodeLastApply? LastApply, NodeLastDriftCheck? LastDriftCheck, bool? InSync);

/// <param name="DeployedJobId">The apply whose render is what every node should run (the last successful one).</param>
public sealed record ApplyStatusResponse(Guid? DeployedJobId, DateTime? DeployedAt, IReadOnlyList<NodeApplyStatus> Nodes);

public sealed record GetApplyStatusQuery : IQuery<ApplyStatusResponse>;

/// <summary>Per node: last apply, last drift check, in sync or not. <c>/health/ready</c> stays about the service; this is
/// about the switches.</summary>
public static class GetApplyStatus
{
    private sealed record ApplyRow(string Node, Guid Id, string Status, DateTime FinishedAt);

    public sealed class Handler(NpgsqlDataSource db, AsteriskNodes nodes, RequestContext ctx) : IQueryHandler<GetApplyStatusQuery, ApplyStatusResponse>
    {
        public async ValueTask<ApplyStatusResponse> Handle(GetApplyStatusQuery q, CancellationToken ct)
        {
            DriftAccess.Require(ctx);
            var names = nodes.All.Select(n => n.Name).ToArray();
            await using var conn = await db.OpenConnectionAsync(ct);
            var baseline = await DeployedState.BaselineAsync(conn, ct);
            var applies = (await conn.QueryAsync<ApplyRow>(new CommandDefinition("""
                SELECT DISTINCT ON (n.node) n.node, j.id, j.status, j.finished_at
                FROM unnest(@names::text[]) AS n(node)
                JOIN apply_jobs j ON j.finished_at IS NOT NULL
                    AND j.steps @> jsonb_build_array(jsonb_build_object('name', 'diff:' || n.node))
                ORDER BY n.node, j.finished_at DESC
                """, new { names }, cancellationToken: ct))).ToDictionary(r => r.Node);
            var checks = await DriftCheckStore.ReadAsync(conn, "WHERE status <> 'RUNNING' ORDER BY started_at DESC, id DESC LIMIT 1", null, ct);
            var conclusive = await DriftCheckStore.ReadAsync(conn, """
                WHERE status IN ('IN_SYNC', 'DRIFTED') AND deployed_job_id = @job AND started_at >= @since
                ORDER BY started_at DESC, id DESC LIMIT 1
                """, new { job = baseline?.JobId, since = baseline?.DeployedAt }, ct);
            var last = checks.FirstOrDefault();
            var known = conclusive.FirstOrDefault();
            return new ApplyStatusResponse(baseline?.JobId, baseline?.DeployedAt, [.. names.Select(name => new NodeApplyStatus(
                name,
                applies.TryGetValue(name, out var a) ? new NodeLastApply(a.Id, ApiJson.Parse<ApplyJobStatus>(a.Status), a.FinishedAt) : null,
                last is null ? null : new NodeLastDriftCheck(last.Id, last.Status, last.FinishedAt!.Value, last.Nodes.FirstOrDefault(n => n.Node == name)?.InSync),
                known?.Nodes.FirstOrDefault(n => n.Node == name)?.InSync))]);
        }
    }
}

public sealed class GetApplyStatusModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply", "Apply")
            .MapGet("/status", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetApplyStatusQuery(), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetApplyStatus")
            .WithSummary("Per Asterisk node: the last apply that reached it, the last drift check, and whether it runs what was deployed (null until a drift check after the last successful apply says). Platform admins and support.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
