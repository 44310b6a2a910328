using Npgsql;

namespace Did.Infrastructure.Errors;

/// <summary>Turns a database constraint violation that a handler did not anticipate into a human problem.
/// The constraint name is ours (migrations name every constraint), so it maps to a sentence; the SQL text never leaks.</summary>
public static class ConstraintMessages
{
    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["ux_tenants_slug"] = "A tenant with this slug already exists.",
        ["ux_tenants_name"] = "A tenant with this name already exists.",
        ["ux_users_email"] = "A user with this email already exists.",
        ["ux_users_tenant_extension"] = "This extension is already used by another user of the tenant.",
        ["fk_users_tenant"] = "The tenant does not exist or still owns users.",
        ["ck_users_role_tenant"] = "Platform roles have no tenant; tenant roles need one.",
        ["ck_tenants_slug"] = "slug must match ^[a-z][a-z0-9-]{1,30}$.",
        ["ck_tenants_slug_reserved"] = "slug must not contain '-ivr-' or '-queue-' nor end with '-ivr' or '-queue'.",
        ["ck_queues_member_ring_seconds"] = "member_ring_seconds must be 1 to 600 seconds.",
        ["ck_users_extension"] = "extension must be 2 to 8 digits.",
        ["ux_ivrs_tenant_name"] = "An IVR with this name already exists in the tenant.",
        ["ux_queues_tenant_name"] = "A queue with this name already exists in the tenant.",
        ["fk_ivrs_tenant"] = "The tenant still owns IVRs; delete them first.",
        ["fk_queues_tenant"] = "The tenant still owns queues; delete them first.",
        ["fk_queue_members_user"] = "The user is a queue member (remove it from its queues first), or has no extension or is in another tenant.",
        ["fk_ivr_destinations_user"] = "An IVR still sends calls to this user, or the user has no extension or is in another tenant.",
        ["fk_ivr_destinations_target_ivr"] = "Another IVR still sends calls to this IVR.",
        ["fk_ivr_destinations_queue"] = "An IVR still sends calls to this queue.",
        ["fk_did_assignments_user"] = "Numbers still route to this user, or the user has no extension or is in another tenant.",
        ["fk_did_assignments_ivr"] = "Numbers still route to this IVR, or the IVR is in another tenant.",
        ["fk_did_assignments_queue"] = "Numbers still route to this queue, or the queue is in another tenant.",
        ["fk_did_assignments_number"] = "The number is routed; unassign it before moving it out of its tenant.",
        ["ux_did_assignments_number"] = "The number is already assigned.",
        ["ux_phone_numbers_number"] = "This number is already in the inventory.",
        ["ck_phone_numbers_e164"] = "number must be E.164: ^\\+[1-9][0-9]{1,14}$.",
        ["ck_phone_numbers_status"] = "status must be UNASSIGNED, ALLOCATED or ASSIGNED.",
        ["ck_phone_numbers_status_tenant"] = "An UNASSIGNED number has no tenant; an ALLOCATED or ASSIGNED one needs one.",
        ["ck_phone_numbers_metadata"] = "provider_metadata must be a JSON object.",
        ["ck_phone_numbers_metadata_size"] = "provider_metadata must be at most 16,384 bytes of JSON as stored.",
        ["fk_phone_numbers_tenant"] = "The tenant does not exist, or still holds numbers.",
        ["ux_schedules_tenant_name"] = "A schedule with this name already exists in the tenant.",
        ["fk_schedules_tenant"] = "The tenant still owns schedules; delete them first.",
        ["ck_schedules_name"] = "name must match ^[a-z0-9-]{1,40}$.",
        ["ck_schedules_timezone"] = "timezone must be an IANA time zone name such as America/New_York.",
        ["ck_schedule_open_intervals_position"] = "A schedule has at most 50 opening intervals.",
        ["ck_schedule_open_intervals_days"] = "An opening interval needs at least one day.",
        ["ck_schedule_open_intervals_from"] = "An opening interval starts at 00:00 to 23:59.",
        ["ck_schedule_open_intervals_to"] = "An opening interval ends at 00:01 to 24:00, not at its start.",
        ["ck_schedule_closed_dates_position"] = "A schedule has at most 200 closed dates.",
        ["ck_schedule_closed_dates_range"] = "A closed period ends on or after its start, spans at most a year, within 2000 to 2199.",
        ["ck_schedule_closed_dates_name"] = "A closed date's name is 1 to 64 characters, no control characters.",
        ["ck_queues_max_wait_seconds"] = "max_wait_seconds must be 1 to 86400 seconds.",
        ["ck_did_assignments_ring_seconds"] = "ring_seconds must be 5 to 600 seconds.",
        ["ck_did_assignments_failover"] = "failover needs a type and, for USER, IVR and QUEUE, an id, for EXTERNAL, a value.",
        ["fk_did_assignments_failover_user"] = "Numbers still fail over to this user, or the user has no extension or is in another tenant.",
        ["fk_did_assignments_failover_ivr"] = "Numbers still fail over to this IVR, or the IVR is in another tenant.",
        ["fk_did_assignments_failover_queue"] = "Numbers still fail over to this queue, or the queue is in another tenant.",
        ["fk_did_route_rules_route"] = "The number is not routed any more; send the route again.",
        ["fk_did_route_rules_schedule"] = "Numbers' rules still use this schedule, or the schedule is in another tenant.",
        ["fk_did_route_rules_user"] = "Numbers' rules still send calls to this user, or the user has no extension or is in another tenant.",
        ["fk_did_route_rules_ivr"] = "Numbers' rules still send calls to this IVR, or the IVR is in another tenant.",
        ["fk_did_route_rules_queue"] = "Numbers' rules still send calls to this queue, or the queue is in another tenant.",
        ["ck_did_route_rules_position"] = "A number has at most 20 rules.",
        ["ck_did_route_rules_caller_id_prefix"] = "caller_id_prefix must be + and 1 to 15 digits.",
        ["ck_did_route_rules_one_caller_condition"] = "A rule has at most one caller condition.",
        ["ck_did_route_rules_schedule"] = "A rule's schedule condition needs both schedule_id and when (OPEN, CLOSED or HOLIDAY).",
        ["ck_did_route_rules_condition"] = "A rule needs at least one condition.",
        ["ck_did_route_rules_destination"] = "A rule's destination needs a type and, for USER, IVR and QUEUE, an id, for EXTERNAL, a value.",
    };

    public static void Register(string constraint, string message) => Messages[constraint] = message;

    public static ProblemException? ToProblem(PostgresException e)
    {
        var known = e.ConstraintName is { } c && Messages.TryGetValue(c, out var m) ? m : null;
        return e.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => Problem.Conflict(known ?? "The change conflicts with an existing record."),
            PostgresErrorCodes.ForeignKeyViolation => Problem.Conflict(known ?? "The change refers to, or is referred to by, another record."),
            PostgresErrorCodes.CheckViolation => Problem.BadRequest(known ?? "The change breaks a data rule."),
            PostgresErrorCodes.NotNullViolation => Problem.BadRequest("A required value is missing."),
            PostgresErrorCodes.StringDataRightTruncation => Problem.BadRequest("A value is too long."),
            PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter =>
                Problem.BadRequest("A value contains characters that cannot be stored (NUL or invalid UTF-8)."),
            PostgresErrorCodes.InvalidTextRepresentation => Problem.BadRequest("A value has the wrong format."),
            PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected =>
                Problem.Conflict("The change collided with a concurrent change; retry it."),
            _ => null,
        };
    }
}
