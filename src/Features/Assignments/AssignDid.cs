using Carter;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Npgsql;
using static Did.Infrastructure.Data.BatchParameters;

namespace Did.Features.Assignments;

/// <summary>Body of POST and PUT /api/v1/dids/{id}/assign. The default destination: USER, IVR and QUEUE take
/// <c>assigned_id</c> (same tenant); EXTERNAL takes <c>assigned_value</c>, one call from the allow-list, e.g.
/// "VoiceMail(1001@tenant-acme)". <c>rules</c> are tried in order before it, the first that holds deciding;
/// <c>failover</c> takes the calls a USER or QUEUE does not; <c>ring_seconds</c> is how long a USER rings.</summary>
public sealed record AssignDidRequest(
    AssignmentType AssignedType, Guid? AssignedId = null, string? AssignedValue = null,
    int? RingSeconds = null, RouteDestinationRequest? Failover = null, IReadOnlyList<RouteRuleRequest>? Rules = null)
    : ICommand<AssignmentResult>
{
    // From the route and the method; internal, so a body naming either is refused (docs/decisions.md, "A value is read
    // as sent, or refused").
    internal Guid Id { get; init; }
    internal bool Replace { get; init; }
}

/// <summary>POST assigns an ALLOCATED number; PUT sets the route whatever it was, in one transaction, so the number is
/// never unrouted in between. Both need the number in the caller's tenant (platform admin: any tenant) and every target
/// (default, rules, failover, schedules) in the number's tenant.</summary>
public static class AssignDid
{
    public sealed class Validator : AbstractValidator<AssignDidRequest>
    {
        public Validator()
        {
            RuleFor(r => r.AssignedId).NotNull().When(r => r.AssignedType != AssignmentType.External)
                .WithMessage("'assigned_id' is required for USER, IVR and QUEUE.");
            RuleFor(r => r.AssignedValue).Null().When(r => r.AssignedType != AssignmentType.External)
                .WithMessage(r => $"'assigned_value' is only for EXTERNAL, and assigned_type is {ApiJson.Name(r.AssignedType)} (you sent '{EchoedValue.Of(r.AssignedValue)}').");
            RuleFor(r => r.AssignedValue).NotEmpty().When(r => r.AssignedType == AssignmentType.External)
                .WithMessage("'assigned_value' is required for EXTERNAL.");
            RuleFor(r => r.AssignedId).Null().When(r => r.AssignedType == AssignmentType.External)
                .WithMessage("'assigned_id' must be empty for EXTERNAL.");
            this.ValidateRoute();
        }
    }

    /// <summary>A route change is one transaction in two round trips, every statement of it written out in this class
    /// (the route's read in <see cref="CurrentRoute"/>): first BEGIN and <see cref="LockNumber"/> (PUT: and the route it
    /// replaces; with rules or a failover: <see cref="LookUpTargets"/>); then <see cref="WriteRoute"/> (the route, the
    /// number's status and the audit row, one statement), on a PUT of a route that had rules <see cref="RemoveRules"/>,
    /// with rules <see cref="WriteRules"/>, and COMMIT. Between the two the handler decides; a refusal (404, 409, 400)
    /// disposes the transaction, which sends ROLLBACK.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, ExternalActionPolicy policy) : ICommandHandler<AssignDidRequest, AssignmentResult>
    {
        public async ValueTask<AssignmentResult> Handle(AssignDidRequest r, CancellationToken ct)
        {
            var target = r.AssignedType == AssignmentType.External ? null
                : new RouteTarget("assigned_id", TargetType(r.AssignedType), r.AssignedId!.Value);
            var rules = r.Rules ?? [];
            var options = rules.Count > 0 || r.Failover is not null;
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var transaction = new PipelinedTransaction(conn);

            LockedNumber? number;
            AssignmentResponse? before = null;
            var found = new Dictionary<(string Kind, Guid Id), FoundTarget>();
            List<NpgsqlBatchCommand> start = [LockNumber(r.Id, target)];
            if (r.Replace) start.Add(CurrentRoute.Read(r.Id, ctx.TenantScope));
            if (options) start.Add(LookUpTargets(r.Id, r));
            await using (var reader = await transaction.BeginAsync(start, ct))
            {
                number = await reader.ReadSingleOrDefaultAsync<LockedNumber>(ct);
                if (r.Replace) before = await CurrentRoute.ReadAsync(reader, ct);
                if (options)
                    foreach (var t in await reader.ReadListAsync<FoundTarget>(ct)) found[(t.Kind, t.Id)] = t;
            }
            if (number is null) throw Problem.NotFound("DID", r.Id);
            if (number.TenantId is not { } tenantId)
                throw Problem.Conflict($"DID {number.Number} is not allocated to a tenant; allocate it first.");
            if (!r.Replace && number.Status == "ASSIGNED")
                throw await AlreadyAssignedAsync(transaction, number, ct);

            var refusal = new Refusal();
            string? value = null;
            var label = "";
            if (target is null)
            {
                value = refusal.External("assigned_value", r.AssignedValue!, number.Slug!, policy);
                label = "EXTERNAL " + value;
            }
            else if (RouteTargets.Error(target, number.TargetLabel is not null, number.TargetRingable ?? false) is { } error)
                refusal.Add(target.Field, error);
            else
                label = number.TargetLabel!;
            var failover = r.Failover is null ? null : Resolve(refusal, "failover", r.Failover, found, number.Slug!);
            var resolved = rules.Select((rule, i) => Resolve(refusal, i, rule, found, number.Slug!)).ToList();
            refusal.ThrowIfAny();

            // The new row is known before it is written: its id is made here (a replace keeps the row, its id, creator and
            // creation time), and its timestamps are number.Now, the clock read once the number's lock was held
            // (LockNumber), which the write stamps the route, the number and the audit row with. So the route, the number's
            // status and the audit of exactly that route go in one statement, and the rules in the next.
            var after = new AssignmentResponse(before?.Id ?? Guid.CreateVersion7(), number.Id, number.Number, r.AssignedType,
                r.AssignedId, value, label, r.RingSeconds, failover, [.. resolved.OfType<RouteRuleResponse>()],
                before is null ? ctx.ActorId : before.CreatedBy, before?.CreatedAt ?? number.Now, number.Now);
            List<NpgsqlBatchCommand> write = [WriteRoute(r.Replace, tenantId, before, after)];
            if (before is { Rules.Count: > 0 }) write.Add(RemoveRules(number.Id));
            if (after.Rules.Count > 0) write.Add(WriteRules(number.Id, tenantId, after.Rules));
            try
            {
                await transaction.CommitAsync(write, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && LostTarget(r, e.ConstraintName) is { } lost)
            {
                throw Problem.Conflict(lost);
            }
            return new AssignmentResult(after, before is null);
        }

        /// <summary>Why a route's write lost its target, naming it with its field, from the key that refused the write: the
        /// read under the number's lock found the target, and it was deleted (or, a user, lost its extension, which the user
        /// keys require: migration M0035) before the key checked it. Null for any other key.</summary>
        private static string? LostTarget(AssignDidRequest r, string? constraint)
        {
            var rules = r.Rules ?? [];
            string Rules(AssignmentType type) => string.Join(", ", rules.Select((rule, i) => (rule.Destination, i))
                .Where(x => x.Destination.Type == type).Select(x => $"rules[{x.i}].destination.id {x.Destination.Id}"));
            string Schedules() => string.Join(", ", rules.Select((rule, i) => (rule.ScheduleId, i))
                .Where(x => x.ScheduleId is not null).Select(x => $"rules[{x.i}].schedule_id {x.ScheduleId}"));
            static string User(string what) => $"{what} had its extension removed (or was deleted or moved to another tenant) " +
                "while this route was saved, so calls could not ring it; nothing was saved. Check the user and send the route again.";
            static string Deleted(string what) =>
                $"{what} was deleted while this route was saved; nothing was saved. Check it and send the route again.";
            return constraint switch
            {
                "fk_did_assignments_user" => User($"User {r.AssignedId} (assigned_id)"),
                "fk_did_assignments_failover_user" => User($"User {r.Failover?.Id} (failover.id)"),
                "fk_did_route_rules_user" => User($"A user a rule sends calls to ({Rules(AssignmentType.User)})"),
                "fk_did_assignments_ivr" => Deleted($"IVR {r.AssignedId} (assigned_id)"),
                "fk_did_assignments_queue" => Deleted($"Queue {r.AssignedId} (assigned_id)"),
                "fk_did_assignments_failover_ivr" => Deleted($"IVR {r.Failover?.Id} (failover.id)"),
                "fk_did_assignments_failover_queue" => Deleted($"Queue {r.Failover?.Id} (failover.id)"),
                "fk_did_route_rules_ivr" => Deleted($"An IVR a rule sends calls to ({Rules(AssignmentType.Ivr)})"),
                "fk_did_route_rules_queue" => Deleted($"A queue a rule sends calls to ({Rules(AssignmentType.Queue)})"),
                "fk_did_route_rules_schedule" => Deleted($"A schedule a rule uses ({Schedules()})"),
                _ => null,
            };
        }

        /// <summary>The number, locked for the transaction, and the target looked up in the number's tenant.</summary>
        private sealed record LockedNumber(Guid Id, string Number, string Status, Guid? TenantId, string? Slug,
            string? TargetLabel, bool? TargetRingable, DateTime Now);

        /// <summary>A user, IVR, queue or schedule of the number's tenant that a rule or the failover names.</summary>
        private sealed record FoundTarget(string Kind, Guid Id, string Label, bool Ringable);

        /// <summary>Locks the number in the caller's scope (no row: 404), so concurrent changes of one number queue up
        /// and each sees the previous one's result, and looks the target up in the number's tenant (another tenant's user,
        /// IVR or queue is not found), one statement per kind of target. <c>now</c>, the stamp of every row the change writes,
        /// is <c>clock_timestamp()</c> read by the outer SELECT, so once the inner one's FOR UPDATE holds the row: a change
        /// that began before another but waited for its lock is stamped after it (the transaction's <c>now()</c>, its
        /// start, would not be). Whether a POST finds the number free is decided from the locked row's
        /// status, which is current even after a wait: a <c>FOR UPDATE</c> that waited returns the row as the previous
        /// holder committed it; status and route change together in every transaction, and the unique key on the route's
        /// number backs that up (a POST inserts with no ON CONFLICT). The other tables are read as they were before the
        /// wait: a target deleted meanwhile, or a user whose extension is removed meanwhile, fails the write's foreign key
        /// (409); the user's row is not locked here, its key takes that lock when the write checks it.</summary>
        private NpgsqlBatchCommand LockNumber(Guid id, RouteTarget? target)
        {
            var locked = target?.Type switch
            {
                null => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug,
                           NULL::text AS target_label, NULL::boolean AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                DestinationType.User => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug,
                           'USER ' || u.email || coalesce(' (' || u.extension || ')', '') AS target_label,
                           u.extension IS NOT NULL AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    LEFT JOIN users u ON u.id = @target_id AND u.tenant_id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                DestinationType.Ivr => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug,
                           'IVR ' || i.name AS target_label, i.id IS NOT NULL AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    LEFT JOIN ivrs i ON i.id = @target_id AND i.tenant_id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                DestinationType.Queue => """
                    SELECT p.id, p.number, p.status, p.tenant_id, t.slug,
                           'QUEUE ' || q.name AS target_label, q.id IS NOT NULL AS target_ringable
                    FROM phone_numbers p
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    LEFT JOIN queues q ON q.id = @target_id AND q.tenant_id = p.tenant_id
                    WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                    FOR UPDATE OF p
                    """,
                var other => throw new ArgumentOutOfRangeException(nameof(target), other, "only users, IVRs and queues are routed to by id"),
            };
            var statement = new NpgsqlBatchCommand($"SELECT locked.*, clock_timestamp() AS now FROM ({locked}) locked")
            {
                Parameters = { Uuid("id", id), Uuid("scope", ctx.TenantScope) },
            };
            if (target is not null) statement.Parameters.Add(Uuid("target_id", target.Id));
            return statement;
        }

        /// <summary>The users, IVRs, queues and schedules that the rules and the failover name, looked up in the number's
        /// tenant: another tenant's is not found, as a missing one. It runs after the lock is granted, with a fresh
        /// snapshot; a target deleted before the commit, or a user whose extension is removed before it, fails the write's
        /// foreign key (409).</summary>
        private NpgsqlBatchCommand LookUpTargets(Guid id, AssignDidRequest r)
        {
            var destinations = (r.Rules ?? []).Select(rule => rule.Destination).Append(r.Failover).OfType<RouteDestinationRequest>().ToList();
            Guid[] Ids(AssignmentType type) => destinations.Where(d => d.Type == type && d.Id is not null).Select(d => d.Id!.Value).Distinct().ToArray();
            return new NpgsqlBatchCommand("""
                SELECT 'USER' AS kind, u.id, 'USER ' || u.email || coalesce(' (' || u.extension || ')', '') AS label,
                       u.extension IS NOT NULL AS ringable
                FROM phone_numbers p JOIN users u ON u.tenant_id = p.tenant_id AND u.id = ANY(@users)
                WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                UNION ALL
                SELECT 'IVR', i.id, 'IVR ' || i.name, true
                FROM phone_numbers p JOIN ivrs i ON i.tenant_id = p.tenant_id AND i.id = ANY(@ivrs)
                WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                UNION ALL
                SELECT 'QUEUE', q.id, 'QUEUE ' || q.name, true
                FROM phone_numbers p JOIN queues q ON q.tenant_id = p.tenant_id AND q.id = ANY(@queues)
                WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                UNION ALL
                SELECT 'SCHEDULE', s.id, s.name, true
                FROM phone_numbers p JOIN schedules s ON s.tenant_id = p.tenant_id AND s.id = ANY(@schedules)
                WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
                """)
            {
                Parameters =
                {
                    Uuid("id", id), Uuid("scope", ctx.TenantScope),
                    Uuids("users", [.. Ids(AssignmentType.User).Cast<Guid?>()]),
                    Uuids("ivrs", [.. Ids(AssignmentType.Ivr).Cast<Guid?>()]),
                    Uuids("queues", [.. Ids(AssignmentType.Queue).Cast<Guid?>()]),
                    Uuids("schedules", [.. (r.Rules ?? []).Where(rule => rule.ScheduleId is not null).Select(rule => rule.ScheduleId).Distinct()]),
                },
            };
        }

        /// <summary>The route, the number's status and the audit row of exactly that route (its rules and failover
        /// included), as one statement: its data-modifying CTEs are all or nothing. POST inserts with no ON CONFLICT, so a
        /// second route for one number is a unique-key violation (409), never a silent replace; PUT keeps the row (its id,
        /// creator and creation time) and changes everything else.</summary>
        private NpgsqlBatchCommand WriteRoute(bool replace, Guid tenantId, AssignmentResponse? before, AssignmentResponse after) =>
            new(replace
                ? """
                    WITH route AS (
                        INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value,
                                                     ring_seconds, failover_type, failover_id, failover_value, created_by,
                                                     created_at, updated_at)
                        VALUES (@route_id, @number_id, @tenant_id, @assigned_type, @assigned_id, @assigned_value,
                                @ring_seconds, @failover_type, @failover_id, @failover_value, @actor_id, @now, @now)
                        ON CONFLICT (phone_number_id) DO UPDATE SET
                            assigned_type = excluded.assigned_type, assigned_id = excluded.assigned_id,
                            assigned_value = excluded.assigned_value, ring_seconds = excluded.ring_seconds,
                            failover_type = excluded.failover_type, failover_id = excluded.failover_id,
                            failover_value = excluded.failover_value, updated_at = @now
                    ),
                    status AS (UPDATE phone_numbers SET status = 'ASSIGNED', updated_at = @now WHERE id = @number_id)
                    INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
                    VALUES (@audit_id, @now, @actor_id, @action, 'PHONE_NUMBER', @number_id, @tenant_id, @before::jsonb, @after::jsonb,
                            @source_ip, @user_agent, @request_id)
                    """
                : """
                    WITH route AS (
                        INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value,
                                                     ring_seconds, failover_type, failover_id, failover_value, created_by,
                                                     created_at, updated_at)
                        VALUES (@route_id, @number_id, @tenant_id, @assigned_type, @assigned_id, @assigned_value,
                                @ring_seconds, @failover_type, @failover_id, @failover_value, @actor_id, @now, @now)
                    ),
                    status AS (UPDATE phone_numbers SET status = 'ASSIGNED', updated_at = @now WHERE id = @number_id)
                    INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
                    VALUES (@audit_id, @now, @actor_id, @action, 'PHONE_NUMBER', @number_id, @tenant_id, @before::jsonb, @after::jsonb,
                            @source_ip, @user_agent, @request_id)
                    """)
            {
                Parameters =
                {
                    Uuid("route_id", after.Id), Uuid("number_id", after.PhoneNumberId), Uuid("tenant_id", tenantId),
                    Text("assigned_type", ApiJson.Name(after.AssignedType)), Uuid("assigned_id", after.AssignedId),
                    Text("assigned_value", after.AssignedValue), Integer("ring_seconds", after.RingSeconds),
                    Text("failover_type", after.Failover is { } f ? ApiJson.Name(f.Type) : null),
                    Uuid("failover_id", after.Failover?.Id), Text("failover_value", after.Failover?.Value), Uuid("actor_id", ctx.ActorId),
                    Uuid("audit_id", Guid.CreateVersion7()), Text("action", ApiJson.Name(before is null ? AuditAction.Assign : AuditAction.Reassign)),
                    Text("before", before is null ? null : ApiJson.Serialize(before)), Text("after", ApiJson.Serialize(after)),
                    Text("source_ip", ctx.SourceIp), Text("user_agent", ctx.UserAgent), Text("request_id", ctx.RequestId),
                    Timestamp("now", after.UpdatedAt),
                },
            };

        /// <summary>The rules of the route a PUT replaces (the route's row stays, so its rules would too).</summary>
        private static NpgsqlBatchCommand RemoveRules(Guid numberId) => new("DELETE FROM did_route_rules WHERE phone_number_id = @number_id")
        {
            Parameters = { Uuid("number_id", numberId) },
        };

        /// <summary>The route's rules, in order, as checked: an EXTERNAL destination is stored as normalized.</summary>
        private static NpgsqlBatchCommand WriteRules(Guid numberId, Guid tenantId, IReadOnlyList<RouteRuleResponse> rules) => new("""
            INSERT INTO did_route_rules (phone_number_id, tenant_id, position, caller_id_prefix, caller_withheld, schedule_id,
                                         schedule_when, dest_type, dest_id, dest_value)
            SELECT @number_id, @tenant_id, r.position - 1, r.caller_id_prefix, r.caller_withheld, r.schedule_id,
                   r.schedule_when, r.dest_type, r.dest_id, r.dest_value
            FROM unnest(@caller_id_prefixes, @caller_withheld, @schedule_ids, @schedule_whens, @dest_types, @dest_ids, @dest_values)
                 WITH ORDINALITY AS r(caller_id_prefix, caller_withheld, schedule_id, schedule_when, dest_type, dest_id, dest_value, position)
            """)
        {
            Parameters =
            {
                Uuid("number_id", numberId), Uuid("tenant_id", tenantId),
                Texts("caller_id_prefixes", [.. rules.Select(x => x.CallerIdPrefix)]),
                Booleans("caller_withheld", [.. rules.Select(x => x.CallerId is not null)]),
                Uuids("schedule_ids", [.. rules.Select(x => x.ScheduleId)]),
                Texts("schedule_whens", [.. rules.Select(x => x.When is { } w ? ApiJson.Name(w) : null)]),
                Texts("dest_types", [.. rules.Select(x => ApiJson.Name(x.Destination.Type))]),
                Uuids("dest_ids", [.. rules.Select(x => x.Destination.Id)]),
                Texts("dest_values", [.. rules.Select(x => x.Destination.Value)]),
            },
        };

        /// <summary>The 409 of a POST on an assigned number names its destination, read in the transaction, under the lock.</summary>
        private async Task<ProblemException> AlreadyAssignedAsync(PipelinedTransaction transaction, LockedNumber number, CancellationToken ct)
        {
            AssignmentResponse? current;
            await using (var read = await transaction.ReadAsync([CurrentRoute.Read(number.Id, ctx.TenantScope)], ct))
                current = await CurrentRoute.ReadAsync(read, ct);
            return Problem.Conflict(current is null
                    ? $"DID {number.Number} is already assigned."
                    : $"DID {number.Number} is already assigned to {Sentence(current.Destination)}.",
                new Dictionary<string, object?> { ["assignment"] = current });
        }

        /// <summary>A rule as stored, or null when its schedule or destination is refused (the refusal says why).</summary>
        private RouteRuleResponse? Resolve(Refusal refusal, int index, RouteRuleRequest rule, Dictionary<(string Kind, Guid Id), FoundTarget> found, string slug)
        {
            var at = $"rules[{index}]";
            string? scheduleName = null;
            if (rule.ScheduleId is { } scheduleId)
            {
                if (found.TryGetValue(("SCHEDULE", scheduleId), out var schedule)) scheduleName = schedule.Label;
                else refusal.Add($"{at}.schedule_id", $"Schedule {scheduleId} not found or not in your tenant.");
            }
            var destination = Resolve(refusal, $"{at}.destination", rule.Destination, found, slug);
            return destination is null || rule.ScheduleId is not null && scheduleName is null ? null
                : new RouteRuleResponse(rule.CallerIdPrefix, rule.CallerId, rule.ScheduleId, scheduleName, rule.When, destination);
        }

        /// <summary>A rule's or the failover's destination with its label, or null when it is refused: a user, IVR or queue
        /// that is not in the number's tenant (or a user without an extension), or an EXTERNAL action off the allow-list.</summary>
        private RouteDestinationResponse? Resolve(Refusal refusal, string at, RouteDestinationRequest d, Dictionary<(string Kind, Guid Id), FoundTarget> found, string slug)
        {
            if (d.Type == AssignmentType.External)
                return refusal.External($"{at}.value", d.Value!, slug, policy) is { } action
                    ? new RouteDestinationResponse(d.Type, null, action, "EXTERNAL " + action)
                    : null;
            var target = new RouteTarget($"{at}.id", TargetType(d.Type), d.Id!.Value);
            var hit = found.GetValueOrDefault((ApiJson.Name(d.Type), d.Id!.Value));
            if (RouteTargets.Error(target, hit is not null, hit?.Ringable ?? false) is { } error)
            {
                refusal.Add(target.Field, error);
                return null;
            }
            return new RouteDestinationResponse(d.Type, d.Id, null, hit!.Label);
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
    }

    /// <summary>Every reason a route's targets are refused, gathered so that one 400 names every field at once; the
    /// first EXTERNAL action refused gives the problem its <c>rule</c>.</summary>
    private sealed class Refusal
    {
        private readonly Dictionary<string, string[]> _errors = new();
        private string? _rule;

        public void Add(string field, string message) => _errors[field] = [message];

        /// <summary>The action as it will be stored, or null (refused) when it breaks the allow-list.</summary>
        public string? External(string field, string value, string slug, ExternalActionPolicy policy)
        {
            var result = ExternalAction.Parse(value, slug, policy);
            if (result.IsValid) return result.Action!.Text;
            Add(field, result.Message!);
            _rule ??= result.RuleCode;
            return null;
        }

        public void ThrowIfAny()
        {
            if (_errors.Count == 0) return;
            var extensions = new Dictionary<string, object?> { ["errors"] = _errors };
            if (_rule is not null) extensions["rule"] = _rule;
            throw new ProblemException(StatusCodes.Status400BadRequest, "One or more validation errors occurred.",
                string.Join(" ", _errors.SelectMany(e => e.Value)), extensions);
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
            .WithSummary("Route an ALLOCATED number to a user, IVR, queue or an allow-listed EXTERNAL action, with optional rules "
                         + "(caller ID, schedule), failover and ring time; 409 if already assigned.")
            .Produces<AssignmentResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        dids.MapPut("/{id:guid}/assign", async (Guid id, AssignDidRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok((await mediator.Send(body with { Id = id, Replace = true }, ct)).Assignment))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("ReplaceDidAssignment")
            .WithSummary("Set a number's route (destination, rules, failover, ring time) in one step, replacing any current one; "
                         + "the number is never unrouted in between.")
            .Produces<AssignmentResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
