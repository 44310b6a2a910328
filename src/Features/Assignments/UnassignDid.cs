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
    /// <summary>An unassign is one transaction in two round trips, every statement of it written out in this class (the
    /// route's read in <see cref="CurrentRoute"/>): first BEGIN, <see cref="LockNumber"/> and the current route, read after
    /// the lock is granted with a fresh snapshot, so it is what a request that held the lock before committed (joined into
    /// the locking statement, it would be read from the snapshot taken before the wait); then <see cref="RemoveRoute"/>
    /// (the route with its rules, the number's status and the audit row, one statement) and COMMIT. A refusal between
    /// them (404) disposes the transaction, which sends ROLLBACK.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<UnassignDidCommand>
    {
        public async ValueTask<Unit> Handle(UnassignDidCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var transaction = new PipelinedTransaction(conn);

            LockedNumber? number;
            AssignmentResponse? route;
            await using (var start = await transaction.BeginAsync([LockNumber(c.Id), CurrentRoute.Read(c.Id, ctx.TenantScope)], ct))
            {
                number = await start.ReadSingleOrDefaultAsync<LockedNumber>(ct);
                route = await CurrentRoute.ReadAsync(start, ct);
            }
            if (number is null) throw Problem.NotFound("DID", c.Id);
            if (route is null)
                throw new ProblemException(StatusCodes.Status404NotFound, "Not found", $"DID {number.Number} is not assigned.");

            await transaction.CommitAsync([RemoveRoute(number, route)], ct);
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

        /// <summary>The route, the number's status and the audit row of exactly the route removed, as one statement: its
        /// data-modifying CTEs are all or nothing, and the route's rules go with it (ON DELETE CASCADE). Stamped with
        /// <c>clock_timestamp()</c>, under the number's lock, not with the transaction's start (AuditLog).</summary>
        private NpgsqlBatchCommand RemoveRoute(LockedNumber number, AssignmentResponse before) => new("""
            WITH route AS (DELETE FROM did_assignments WHERE phone_number_id = @number_id),
            status AS (UPDATE phone_numbers SET status = 'ALLOCATED', updated_at = clock_timestamp() WHERE id = @number_id)
            INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
            VALUES (@audit_id, clock_timestamp(), @actor_id, 'UNASSIGN', 'PHONE_NUMBER', @number_id, @tenant_id, @before::jsonb, NULL,
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
