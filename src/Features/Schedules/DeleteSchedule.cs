using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Mediator;
using Npgsql;

namespace Did.Features.Schedules;

public sealed record DeleteScheduleCommand(Guid Id) : ICommand;

public static class DeleteSchedule
{
    private const int Named = 10;

    /// <summary>The schedule is locked first, so a route change that adds a rule on it either committed before (and its
    /// number is listed) or waits and then fails the rule's foreign key (409).</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<DeleteScheduleCommand>
    {
        public async ValueTask<Unit> Handle(DeleteScheduleCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = await TenantOwned.LockAsync<ScheduleStore, ScheduleResponse>(conn, tx, ctx, c.Id, ct);
            var numbers = (await conn.QueryAsync<string>(new CommandDefinition("""
                SELECT DISTINCT p.number FROM did_route_rules r JOIN phone_numbers p ON p.id = r.phone_number_id
                WHERE r.schedule_id = @id ORDER BY p.number
                """, new { id = c.Id }, tx, cancellationToken: ct))).AsList();
            if (numbers.Count > 0)
                throw Problem.Conflict(
                    $"Schedule '{before.Name}' is still in use: the rules of {numbers.Count} number(s) test it ("
                    + string.Join(", ", numbers.Take(Named)) + (numbers.Count > Named ? $", ... ({numbers.Count} in all)" : "")
                    + "). Change those rules first.",
                    new Dictionary<string, object?> { ["numbers"] = numbers });
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM schedules WHERE id = @id", new { id = c.Id }, tx, cancellationToken: ct));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Delete, AuditEntity.Schedule, c.Id, before.TenantId, before, null, ct);
            await tx.CommitAsync(ct);
            return Unit.Value;
        }
    }
}

public sealed class DeleteScheduleModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/schedules", "Schedules")
            .MapDeleteCommand("/{id:guid}", id => new DeleteScheduleCommand(id))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("DeleteSchedule")
            .WithSummary("Delete a schedule; 409 listing the numbers whose rules still test it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
