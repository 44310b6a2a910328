using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Drift;

public sealed record RunDriftCheckCommand : ICommand<DriftCheckResponse>;

/// <summary>Runs a drift check now and answers it when it has finished (<see cref="DriftCheckRunner"/>). Platform admins
/// and support: it reads the switch and changes nothing on it. One at a time across replicas: while one runs, 409
/// naming it.</summary>
public static class RunDriftCheck
{
    public sealed class Handler(DriftCheckRunner runner, NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<RunDriftCheckCommand, DriftCheckResponse>
    {
        public async ValueTask<DriftCheckResponse> Handle(RunDriftCheckCommand c, CancellationToken ct)
        {
            DriftAccess.Require(ctx);
            var check = await runner.TryRunAsync(ctx, ct);
            if (check is null)
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                var running = (await DriftCheckStore.ReadAsync(conn, "WHERE status = 'RUNNING'", null, ct)).FirstOrDefault()?.Id;
                throw Problem.Conflict($"A drift check is running{(running is { } r ? $" (check {r})" : "")}; read its result when it has finished.",
                    new Dictionary<string, object?> { ["running_check_id"] = running });
            }
            return check;
        }
    }
}

/// <summary>Drift checks and the apply status tell about the switches, not about a tenant: platform roles only.</summary>
public static class DriftAccess
{
    public static void Require(RequestContext ctx)
    {
        if (ctx.Role is not (Role.PlatformAdmin or Role.Support))
            throw Problem.Forbidden("Drift checks and the apply status are for platform admins and support.");
    }
}

public sealed class RunDriftCheckModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/apply/drift-checks", "Apply")
            .MapPost("/", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new RunDriftCheckCommand(), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("RunDriftCheck")
            .WithSummary("Check now whether every node still runs what the last successful apply deployed: its live files byte for byte, and every rendered context as Asterisk runs it (ShowDialPlan), compared as multisets. Answers the finished check: IN_SYNC, DRIFTED (each drifted node names its differing contexts, lines and files), INCONCLUSIVE (an apply ran meanwhile) or FAILED. Never blocks an apply. Platform admins and support; 409 while another check runs.")
            .Produces<DriftCheckResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
