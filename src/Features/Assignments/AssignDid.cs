using Carter;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Npgsql;
using System.Text.Json.Serialization;
using static Did.Infrastructure.Data.BatchParameters;

namespace Did.Features.Assignments;

/// <summary>Body of POST and PUT /api/v1/dids/{id}/assign: USER, IVR and QUEUE take <c>assigned_id</c> (same tenant);
/// EXTERNAL takes <c>assigned_value</c>, one call from the allow-list, e.g. "VoiceMail(1001@tenant-acme)".</summary>
public sealed record AssignDidRequest(AssignmentType AssignedType, Guid? AssignedId = null, string? AssignedValue = null)
    : ICommand<AssignmentResult>
{
    [JsonIgnore] public Guid Id { get; init; }
    [JsonIgnore] public bool Replace { get; init; }
}

/// <summary>POST assigns an ALLOCATED number; PUT sets the destination whatever it was, in one transaction, so the
/// number is never unrouted in between. Both need the number in the caller's tenant (platform admin: any tenant) and a
/// target in the number's tenant.</summary>
public static class AssignDid
{
    public sealed class Validator : AbstractValidator<AssignDidRequest>
    {
        public Validator()
        {
            RuleFor(r => r.AssignedId).NotNull().When(r => r.AssignedType != AssignmentType.External)
                .WithMessage("'assigned_id' is required for USER, IVR and QUEUE.");
            RuleFor(r => r.AssignedValue).Null().When(r => r.AssignedType != AssignmentType.External)
                .WithMessage("'assigned_value' is only for EXTERNAL.");
            RuleFor(r => r.AssignedValue).NotEmpty().When(r => r.AssignedType == AssignmentType.External)
                .WithMessage("'assigned_value' is required for EXTERNAL.");
            RuleFor(r => r.AssignedId).Null().When(r => r.AssignedType == AssignmentType.External)
                .WithMessage("'assigned_id' must be empty for EXTERNAL.");
        }
    }

    /// <summary>A route change is one transaction in two round trips, every statement of it written out in this class:
    /// first BEGIN and <see cref="LockNumber"/> (PUT: and <see cref="ReadAssignment"/>, the route it replaces); then
    /// <see cref="WriteRoute"/> (the route, the number's status and the audit row, one statement) and COMMIT. Between
    /// the two the handler decides; a refusal (404, 409, 400) disposes the transaction, which sends ROLLBACK.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, ExternalActionPolicy policy) : ICommandHandler<AssignDidRequest, AssignmentResult>
    {
        public async ValueTask<AssignmentResult> Handle(AssignDidRequest r, CancellationToken ct)
        {
            var target = r.AssignedType == AssignmentType.External ? null
                : new RouteTarget("assigned_id", TargetType(r.AssignedType), r.AssignedId!.Value);
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var transaction = new PipelinedTransaction(conn);

            LockedNumber? number;
            AssignmentResponse? before = null;
            await using (var start = r.Replace
                ? await transaction.BeginAsync([LockNumber(r.Id, target), ReadAssignment(r.Id)], ct)
                : await transaction.BeginAsync([LockNumber(r.Id, target)], ct))
            {
                number = await start.ReadSingleOrDefaultAsync<LockedNumber>(ct);
                if (r.Replace) before = (await start.ReadSingleOrDefaultAsync<AssignmentRow>(ct))?.ToResponse();
            }
            if (number is null) throw Problem.NotFound("DID", r.Id);
            if (number.TenantId is not { } tenantId)
                throw Problem.Conflict($"DID {number.Number} is not allocated to a tenant; allocate it first.");
            if (!r.Replace && number.Status == "ASSIGNED")
                throw await AlreadyAssignedAsync(transaction, number, ct);

            string? value = null;
            string label;
            if (target is null)
            {
                value = CheckExternal(r.AssignedValue!, number.Slug!);
                label = "EXTERNAL " + value;
            }
            else if (RouteTargets.Error(target, number.TargetLabel is not null, number.TargetRingable ?? false) is { } error)
                throw RouteTargets.Invalid(new() { [target.Field] = [error] });
            else
                label = number.TargetLabel!;

            // The new row is known before it is written: its id is made here (a replace keeps the row, its id, creator and
            // creation time), and its timestamps are the transaction's now(), read under the lock, which is the value
            // now() gives every statement of this transaction. So the row, the number's status and the audit of exactly
            // that row go in one statement.
            var after = new AssignmentResponse(before?.Id ?? Guid.CreateVersion7(), number.Id, number.Number, r.AssignedType,
                r.AssignedId, value, label, before is null ? ctx.ActorId : before.CreatedBy, before?.CreatedAt ?? number.Now, number.Now);
            await transaction.CommitAsync([WriteRoute(r.Replace, tenantId, before, after)], ct);
            return new AssignmentResult(after, before is null);
        }

        /// <summary>The number, locked for the transaction, and the target looked up in the number's tenant.</summary>
        private sealed record LockedNumber(Guid Id, string Number, string Status, Guid? TenantId, string? Slug, DateTime Now,
            string? TargetLabel, bool? TargetRingable);

        /// <summary>Locks the number in the caller's scope (no row: 404), so concurrent changes of one number queue up
        /// and each sees the previous one's result, and looks the target up in the number's tenant (another tenant's user,
        /// IVR or queue is not found), one statement per kind of target. <c>now</c> is the transaction's timestamp, the
        /// <c>now()</c> of every row it writes. Whether a POST finds the number free is decided from the locked row's
        /// status, which is current even after a wait: a <c>FOR UPDATE</c> that waited returns the row as the previous
        /// holder committed it; status and route change together in every transaction, and the unique key on the route's
        /// number backs that up (a POST inserts with no ON CONFLICT). The other tables are read as they were before the
        /// wait: a target deleted meanwhile fails the write's foreign key (409).</summary>
        private NpgsqlBatchCommand LockNumber(Guid id, RouteTarget? target)
        {
            var statement = new NpgsqlBatchCommand(target?.Type switch
            {
                null => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug, now() AS now,
                           NULL::text AS target_label, NULL::boolean AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                DestinationType.User => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug, now() AS now,
                           'USER ' || u.email || coalesce(' (' || u.extension || ')', '') AS target_label,
                           u.extension IS NOT NULL AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    LEFT JOIN users u ON u.id = @target_id AND u.tenant_id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                DestinationType.Ivr => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug, now() AS now,
                           'IVR ' || i.name AS target_label, i.id IS NOT NULL AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    LEFT JOIN ivrs i ON i.id = @target_id AND i.tenant_id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                DestinationType.Queue => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug, now() AS now,
                           'QUEUE ' || q.name AS target_label, q.id IS NOT NULL AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    LEFT JOIN queues q ON q.id = @target_id AND q.tenant_id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                var other => throw new ArgumentOutOfRangeException(nameof(target), other, "only users, IVRs and queues are routed to by id"),
            })
            {
                Parameters = { Uuid("id", id), Uuid("scope", ctx.TenantScope) },
            };
            if (target is not null) statement.Parameters.Add(Uuid("target_id", target.Id));
            return statement;
        }

        /// <summary>The number's current route with its label. It runs after the lock is granted, with a fresh snapshot,
        /// so it sees what a concurrent request committed while this one waited: the route a PUT replaces, and audits,
        /// is the current one. The label is the one lists show (DestinationLabel).</summary>
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

        /// <summary>The route, the number's status and the audit row of exactly that route, as one statement: its
        /// data-modifying CTEs are all or nothing. POST inserts with no ON CONFLICT, so a second route for one number is a
        /// unique-key violation (409), never a silent replace; PUT keeps the row (its id, creator and creation time) and
        /// changes its destination.</summary>
        private NpgsqlBatchCommand WriteRoute(bool replace, Guid tenantId, AssignmentResponse? before, AssignmentResponse after) =>
            new(replace
                ? """
                    WITH route AS (
                        INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value, created_by)
                        VALUES (@route_id, @number_id, @tenant_id, @assigned_type, @assigned_id, @assigned_value, @actor_id)
                        ON CONFLICT (phone_number_id) DO UPDATE SET
                            assigned_type = excluded.assigned_type, assigned_id = excluded.assigned_id,
                            assigned_value = excluded.assigned_value, updated_at = now()
                    ),
                    status AS (UPDATE phone_numbers SET status = 'ASSIGNED', updated_at = now() WHERE id = @number_id)
                    INSERT INTO audit_logs (id, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
                    VALUES (@audit_id, @actor_id, @action, 'PHONE_NUMBER', @number_id, @tenant_id, @before::jsonb, @after::jsonb,
                            @source_ip, @user_agent, @request_id)
                    """
                : """
                    WITH route AS (
                        INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value, created_by)
                        VALUES (@route_id, @number_id, @tenant_id, @assigned_type, @assigned_id, @assigned_value, @actor_id)
                    ),
                    status AS (UPDATE phone_numbers SET status = 'ASSIGNED', updated_at = now() WHERE id = @number_id)
                    INSERT INTO audit_logs (id, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
                    VALUES (@audit_id, @actor_id, @action, 'PHONE_NUMBER', @number_id, @tenant_id, @before::jsonb, @after::jsonb,
                            @source_ip, @user_agent, @request_id)
                    """)
            {
                Parameters =
                {
                    Uuid("route_id", after.Id), Uuid("number_id", after.PhoneNumberId), Uuid("tenant_id", tenantId),
                    Text("assigned_type", ApiJson.Name(after.AssignedType)), Uuid("assigned_id", after.AssignedId),
                    Text("assigned_value", after.AssignedValue), Uuid("actor_id", ctx.ActorId),
                    Uuid("audit_id", Guid.CreateVersion7()), Text("action", ApiJson.Name(before is null ? AuditAction.Assign : AuditAction.Reassign)),
                    Text("before", before is null ? null : ApiJson.Serialize(before)), Text("after", ApiJson.Serialize(after)),
                    Text("source_ip", ctx.SourceIp), Text("user_agent", ctx.UserAgent), Text("request_id", ctx.RequestId),
                },
            };

        /// <summary>The 409 of a POST on an assigned number names its destination, read in the transaction, under the lock.</summary>
        private async Task<ProblemException> AlreadyAssignedAsync(PipelinedTransaction transaction, LockedNumber number, CancellationToken ct)
        {
            AssignmentResponse? current;
            await using (var read = await transaction.ReadAsync([ReadAssignment(number.Id)], ct))
                current = (await read.ReadSingleOrDefaultAsync<AssignmentRow>(ct))?.ToResponse();
            return Problem.Conflict(current is null
                    ? $"DID {number.Number} is already assigned."
                    : $"DID {number.Number} is already assigned to {Sentence(current.Destination)}.",
                new Dictionary<string, object?> { ["assignment"] = current });
        }

        /// <summary>"user bob@example.com (1001)" from "USER bob@example.com (1001)", for sentences.</summary>
        private static string Sentence(string label)
        {
            var space = label.IndexOf(' ');
            return space < 0 ? label : label[..space].ToLowerInvariant() + label[space..];
        }

        private static DestinationType TargetType(AssignmentType t) => t switch
        {
            AssignmentType.User => DestinationType.User,
            AssignmentType.Ivr => DestinationType.Ivr,
            AssignmentType.Queue => DestinationType.Queue,
            _ => throw new ArgumentOutOfRangeException(nameof(t)),
        };

        private string CheckExternal(string value, string slug)
        {
            var result = ExternalAction.Parse(value, slug, policy);
            if (result.IsValid) return result.Action!.Text;
            throw new ProblemException(StatusCodes.Status400BadRequest, "One or more validation errors occurred.", result.Message!,
                new Dictionary<string, object?>
                {
                    ["rule"] = result.RuleCode,
                    ["errors"] = new Dictionary<string, string[]> { ["assigned_value"] = [result.Message!] },
                });
        }
    }
}

public sealed class AssignDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var dids = app.MapApiGroup("/api/v1/dids", "Assignments");
        dids.MapPost("/{id:guid}/assign", async (Guid id, AssignDidRequest body, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(body with { Id = id, Replace = false }, ct);
                return TypedResults.Created($"/api/v1/dids/{id}", result.Assignment);
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("AssignDid")
            .WithSummary("Route an ALLOCATED number to a user, IVR, queue or an allow-listed EXTERNAL action; 409 if already assigned.")
            .Produces<AssignmentResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        dids.MapPut("/{id:guid}/assign", async (Guid id, AssignDidRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok((await mediator.Send(body with { Id = id, Replace = true }, ct)).Assignment))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("ReplaceDidAssignment")
            .WithSummary("Set a number's destination in one step, replacing any current one; the number is never unrouted in between.")
            .Produces<AssignmentResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
