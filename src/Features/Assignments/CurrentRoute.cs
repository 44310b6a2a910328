using Did.Infrastructure.Data;
using Npgsql;
using static Did.Infrastructure.Data.BatchParameters;

namespace Did.Features.Assignments;

/// <summary>The statement that reads a number's current route in the caller's scope (no row: not routed, or not the
/// caller's): the route, its destination's label (the one lists show, DestinationLabel), the failover and the rules in
/// order, each destination with its label, as one statement, so one snapshot. Route changes send it after the number's
/// lock is granted, so it reads what the change before them committed; GET /dids/{id} sends it as is.</summary>
internal static class CurrentRoute
{
    public static NpgsqlBatchCommand Read(Guid numberId, Guid? scope) => new("""
        SELECT a.id, a.phone_number_id, p.number AS phone_number, a.assigned_type, a.assigned_id, a.assigned_value,
               CASE a.assigned_type
                   WHEN 'USER' THEN 'USER ' || u.email || coalesce(' (' || u.extension || ')', '')
                   WHEN 'IVR' THEN 'IVR ' || i.name
                   WHEN 'QUEUE' THEN 'QUEUE ' || q.name
                   WHEN 'EXTERNAL' THEN 'EXTERNAL ' || a.assigned_value
               END AS destination,
               a.ring_seconds,
               CASE WHEN a.failover_type IS NOT NULL THEN jsonb_build_object(
                   'type', a.failover_type, 'id', a.failover_id, 'value', a.failover_value,
                   'label', CASE a.failover_type
                       WHEN 'USER' THEN 'USER ' || fu.email || coalesce(' (' || fu.extension || ')', '')
                       WHEN 'IVR' THEN 'IVR ' || fi.name
                       WHEN 'QUEUE' THEN 'QUEUE ' || fq.name
                       WHEN 'EXTERNAL' THEN 'EXTERNAL ' || a.failover_value
                   END)::text
               END AS failover,
               (SELECT coalesce(jsonb_agg(jsonb_build_object(
                           'caller_id_prefix', r.caller_id_prefix,
                           'caller_id', CASE WHEN r.caller_withheld THEN 'WITHHELD' END,
                           'schedule_id', r.schedule_id, 'schedule_name', s.name, 'when', r.schedule_when,
                           'destination', jsonb_build_object(
                               'type', r.dest_type, 'id', r.dest_id, 'value', r.dest_value,
                               'label', CASE r.dest_type
                                   WHEN 'USER' THEN 'USER ' || ru.email || coalesce(' (' || ru.extension || ')', '')
                                   WHEN 'IVR' THEN 'IVR ' || ri.name
                                   WHEN 'QUEUE' THEN 'QUEUE ' || rq.name
                                   WHEN 'EXTERNAL' THEN 'EXTERNAL ' || r.dest_value
                               END)) ORDER BY r.position), '[]')::text
                FROM did_route_rules r
                LEFT JOIN schedules s ON s.id = r.schedule_id
                LEFT JOIN users ru ON ru.id = r.dest_user_id
                LEFT JOIN ivrs ri ON ri.id = r.dest_ivr_id
                LEFT JOIN queues rq ON rq.id = r.dest_queue_id
                WHERE r.phone_number_id = a.phone_number_id) AS rules,
               a.created_by, a.created_at, a.updated_at
        FROM did_assignments a
        JOIN phone_numbers p ON p.id = a.phone_number_id
        LEFT JOIN users u ON u.id = a.assigned_user_id
        LEFT JOIN ivrs i ON i.id = a.assigned_ivr_id
        LEFT JOIN queues q ON q.id = a.assigned_queue_id
        LEFT JOIN users fu ON fu.id = a.failover_user_id
        LEFT JOIN ivrs fi ON fi.id = a.failover_ivr_id
        LEFT JOIN queues fq ON fq.id = a.failover_queue_id
        WHERE a.phone_number_id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
        """)
    {
        Parameters = { Uuid("id", numberId), Uuid("scope", scope) },
    };

    /// <summary>Reads the result of <see cref="Read"/> from a batch's reader and moves on to the next statement's.</summary>
    public static async Task<AssignmentResponse?> ReadAsync(NpgsqlDataReader reader, CancellationToken ct) =>
        (await reader.ReadSingleOrDefaultAsync<AssignmentRow>(ct))?.ToResponse();
}
