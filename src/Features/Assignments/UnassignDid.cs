using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;
using static Did.Infrastructure.Data.BatchParameters;

namespace Did.Features.Assignments;

public sealed record UnassignDidCommand(Guid Id) : ICommand;

public static class UnassignDid
{
    /// <summary>An unassign is one transaction in two round trips, every statement of it written out in this class: first
    /// BEGIN, <see cref="LockNumber"/> and <see cref="ReadAssignment"/>; then <see cref="RemoveRoute"/> (the route, the
    /// number's status and the audit row, one statement) and COMMIT. A refusal between them (404) disposes the transaction,
    /// which sends ROLLBACK.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<UnassignDidCommand>
    {
        public async ValueTask<Unit> Handle(UnassignDidCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var transaction = new PipelinedTransaction(conn);

            LockedNumber? number;
            AssignmentRow? route;
            await using (var start = await transaction.BeginAsync([LockNumber(c.Id), ReadAssignment(c.Id)], ct))
            {
                number = await start.ReadSingleOrDefaultAsync<LockedNumber>(ct);
                route = await start.ReadSingleOrDefaultAsync<AssignmentRow>(ct);
            }
            if (number is null) throw Problem.NotFound("DID", c.Id);
            if (route is null)
                throw new ProblemException(StatusCodes.Status404NotFound, "Not found", $"DID {number.Number} is not assigned.");

            await transaction.CommitAsync([RemoveRoute(number, route.ToResponse())], ct);
            return Unit.Value;
        }

        private sealed record LockedNumber(Guid Id, string Number, Guid? TenantId);

        /// <summary>Locks the number in the caller's scope (no row: 404), so concurrent changes of one number queue up and
        /// each sees the previous one's result.</summary>
        private NpgsqlBatchCommand LockNumber(Guid id) => new("""
            SELECT p.id, p.number, p.tenant_id
            FROM phone_numbers p
            WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
            FOR UPDATE OF p
            """)
        {
            Parameters = { Uuid("id", id), Uuid("scope", ctx.TenantScope) },
        };

        /// <summary>The number's current route with its label (the one lists show, DestinationLabel). It runs after the lock
        /// is granted, with a fresh snapshot, so it sees what a concurrent request committed while this one waited: the
        /// route removed, and audited, is the current one. (Joined into the locking statement, it would be read from the
        /// snapshot taken before the wait.)</summary>
        private NpgsqlBatchCommand ReadAssignment(Guid id) => new("""
            SELECT a.id, a.phone_number_id, p.number AS phone_number, a.assigned_type, a.assigned_id, a.assigned_value,
                   CASE a.assigned_type
                       WHEN 'USER' THEN 'USER ' || u.email || coalesce(' (' || u.extension || ')', '')
                       WHEN 'IVR' THEN 'IVR ' || i.name
                       WHEN 'QUEUE' THEN 'QUEUE ' || q.name
                       WHEN 'EXTERNAL' THEN 'EXTERNAL ' || a.assigned_value
                   END AS destination,
                   a.created_by, a.created_at, a.updated_at
            FROM did_assignments a
            JOIN phone_numbers p ON p.id = a.phone_number_id
            LEFT JOIN users u ON u.id = a.assigned_user_id
            LEFT JOIN ivrs i ON i.id = a.assigned_ivr_id
            LEFT JOIN queues q ON q.id = a.assigned_queue_id
            WHERE a.phone_number_id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
            """)
        {
            Parameters = { Uuid("id", id), Uuid("scope", ctx.TenantScope) },
        };

        /// <summary>The route, the number's status and the audit row of exactly the route removed, as one statement: its
        /// data-modifying CTEs are all or nothing.</summary>
        private NpgsqlBatchCommand RemoveRoute(LockedNumber number, AssignmentResponse before) => new("""
            WITH route AS (DELETE FROM did_assignments WHERE phone_number_id = @number_id),
            status AS (UPDATE phone_numbers SET status = 'ALLOCATED', updated_at = now() WHERE id = @number_id)
            INSERT INTO audit_logs (id, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
            VALUES (@audit_id, @actor_id, 'UNASSIGN', 'PHONE_NUMBER', @number_id, @tenant_id, @before::jsonb, NULL,
                    @source_ip, @user_agent, @request_id)
            """)
        {
            Parameters =
            {
                Uuid("number_id", number.Id), Uuid("tenant_id", number.TenantId), Uuid("audit_id", Guid.CreateVersion7()),
                Uuid("actor_id", ctx.ActorId), Text("before", ApiJson.Serialize(before)),
                Text("source_ip", ctx.SourceIp), Text("user_agent", ctx.UserAgent), Text("request_id", ctx.RequestId),
            },
        };
    }
}

public sealed class UnassignDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "Assignments")
            .MapDeleteCommand("/{id:guid}/assign", id => new UnassignDidCommand(id))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("UnassignDid")
            .WithSummary("Remove a number's destination; it becomes ALLOCATED again. 404 if it is not assigned.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
