using Carter;
using Did.Infrastructure.Data;
using Npgsql;

namespace Did.Infrastructure.Health;

public sealed record HealthResponse(string Status, long? SchemaVersion = null);

public sealed class HealthModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();

        health.MapGet("/live", () => TypedResults.Ok(new HealthResponse("UP")))
            .WithName("GetLiveness").WithSummary("The process is up.");

        health.MapGet("/ready", async Task<IResult> (NpgsqlDataSource db, CancellationToken ct) =>
            {
                try
                {
                    if (await SchemaMigrator.IsCurrentAsync(db, ct))
                        return TypedResults.Ok(new HealthResponse("READY", SchemaMigrator.Latest));
                    return TypedResults.Problem(statusCode: 503, title: "Not ready", detail: "The database schema is not migrated to this version yet.");
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    return TypedResults.Problem(statusCode: 503, title: "Not ready", detail: "The database is not reachable.");
                }
            })
            .WithName("GetReadiness").WithSummary("The database is reachable and migrated.")
            .Produces<HealthResponse>().ProducesProblem(503);
    }
}
