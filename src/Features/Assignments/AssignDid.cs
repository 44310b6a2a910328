using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Assignments;

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

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, ExternalActionPolicy policy) : ICommandHandler<AssignDidRequest, AssignmentResult>
    {
        public async ValueTask<AssignmentResult> Handle(AssignDidRequest r, CancellationToken ct)
        {
            // The transaction begins in the lock's batch and commits in the write's (AssignmentStore says why).
            await using var conn = await db.OpenConnectionAsync(ct);
            var target = r.AssignedType == AssignmentType.External ? (RouteTarget?)null
                : new RouteTarget("assigned_id", TargetType(r.AssignedType), r.AssignedId!.Value);
            var lookup = target is null ? ((DestinationType, Guid)?)null : (target.Type, target.Id);
            LockedNumber number;
            AssignmentResponse? before = null;
            TargetRow? found;
            if (r.Replace)
                (number, before, found) = await AssignmentStore.BeginLockAndReadAsync(conn, r.Id, ctx.TenantScope, lookup, ct);
            else
                (number, found) = await AssignmentStore.BeginLockForNewRouteAsync(conn, r.Id, ctx.TenantScope, lookup, ct);
            if (number.TenantId is not { } tenantId)
                throw Problem.Conflict($"DID {number.Number} is not allocated to a tenant; allocate it first.");
            if (!r.Replace && number.Status == "ASSIGNED")
            {
                var current = await AssignmentStore.ReadAsync(conn, number.Id, ct);
                throw Problem.Conflict(current is null
                        ? $"DID {number.Number} is already assigned."
                        : $"DID {number.Number} is already assigned to {AssignmentStore.Sentence(current.Destination)}.",
                    new Dictionary<string, object?> { ["assignment"] = current });
            }

            string? value = null;
            string label;
            if (target is null)
            {
                value = CheckExternal(r.AssignedValue!, number.Slug!);
                label = "EXTERNAL " + value;
            }
            else if (RouteTargets.Error(target, found is not null, found?.Ringable ?? false) is { } error)
                throw RouteTargets.Invalid(new() { [target.Field] = [error] });
            else
                label = found!.Label;

            // The new row is known before it is written: its id is made here (a replace keeps the row, its id, creator and
            // creation time), and its timestamps are the transaction's now(), read under the lock, which is the value
            // now() gives every statement of this transaction. So the row, the number's status and the audit of exactly
            // that row go in one round trip.
            var after = new AssignmentResponse(before?.Id ?? Guid.CreateVersion7(), number.Id, number.Number, r.AssignedType,
                r.AssignedId, value, label, before is null ? ctx.ActorId : before.CreatedBy, before?.CreatedAt ?? number.Now, number.Now);
            await conn.ExecuteAsync(new CommandDefinition(r.Replace ? WriteReplacing : WriteNew,
                new RouteWrite(ctx, tenantId, before, after), cancellationToken: ct));
            return new AssignmentResult(after, before is null);
        }

        // The row, the status and the audit row are one statement (data-modifying CTEs: all or nothing, like the
        // transaction around them), because each statement has a fixed cost in the service and in PostgreSQL: three
        // statements made one gave 7-14% more requests per second (bench/RESULTS-assign.md). COMMIT goes in the same
        // batch, one round trip less: PostgreSQL runs it only if the statement before it succeeded (after an error it
        // skips to the end of the batch, and closing the connection rolls back). Both texts are constants, so no
        // request builds a new one.
        private const string WriteNew = "WITH route AS (" + InsertRoute + ")," + StatusAndAudit;

        /// <summary>PUT keeps the row (its id, creator and creation time) and changes its destination. POST has no
        /// ON CONFLICT: a second route for one number is a unique-key violation (409), never a silent replace.</summary>
        private const string WriteReplacing = "WITH route AS (" + InsertRoute + """

            ON CONFLICT (phone_number_id) DO UPDATE SET
                assigned_type = excluded.assigned_type, assigned_id = excluded.assigned_id,
                assigned_value = excluded.assigned_value, updated_at = now()
            """ + ")," + StatusAndAudit;

        private const string InsertRoute = """
            INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value, created_by)
            VALUES (@Id, @NumberId, @TenantId, @Type, @AssignedId, @Value, @AuditActor)
            """;

        /// <summary>The route's parameters and its audit row's, in one object (<see cref="AuditParameters"/> says why).
        /// A new row's creator is the audit's actor; a replace keeps the row's creator (ON CONFLICT does not set it).</summary>
        private sealed class RouteWrite(RequestContext ctx, Guid tenantId, AssignmentResponse? before, AssignmentResponse after)
            : AuditParameters(ctx, before is null ? AuditAction.Assign : AuditAction.Reassign, AuditEntity.PhoneNumber,
                after.PhoneNumberId, tenantId, before, after)
        {
            public Guid Id => after.Id;
            public Guid NumberId => after.PhoneNumberId;
            public Guid TenantId => tenantId;
            public string Type => ApiJson.Name(after.AssignedType);
            public Guid? AssignedId => after.AssignedId;
            public string? Value => after.AssignedValue;
        }

        private const string StatusAndAudit = """

            status AS (UPDATE phone_numbers SET status = 'ASSIGNED', updated_at = now() WHERE id = @NumberId)

            """ + AuditLog.InsertSql + """
            ;
            COMMIT;
            """;

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
