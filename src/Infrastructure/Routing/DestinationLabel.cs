namespace Did.Infrastructure.Routing;

/// <summary>The readable label of a number's route, computed in SQL so lists stay one query:
/// "USER alice@example.com (1001)", "IVR main", "QUEUE support", "EXTERNAL Playback(custom/closed)".
/// Expects the assignment aliased <c>a</c>.</summary>
public static class DestinationLabel
{
    public const string Joins = """
        LEFT JOIN users lu ON lu.id = a.assigned_user_id
        LEFT JOIN ivrs li ON li.id = a.assigned_ivr_id
        LEFT JOIN queues lq ON lq.id = a.assigned_queue_id
        """;

    public const string Sql = """
        CASE a.assigned_type
            WHEN 'USER' THEN 'USER ' || lu.email || coalesce(' (' || lu.extension || ')', '')
            WHEN 'IVR' THEN 'IVR ' || li.name
            WHEN 'QUEUE' THEN 'QUEUE ' || lq.name
            WHEN 'EXTERNAL' THEN 'EXTERNAL ' || a.assigned_value
        END
        """;
}
