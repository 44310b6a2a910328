using Did.Dialplan;

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

    /// <summary>A target's label before a number routes to it (the text <see cref="Sql"/> gives once it does) and
    /// whether calls can ring it (a user needs an extension). It looks only in the tenant <paramref name="tenantId"/>
    /// (an SQL expression, by default the tenant of number <c>@numberId</c>), so another tenant's object is not found.
    /// Parameter: <c>@targetId</c>.</summary>
    public static string TargetSql(DestinationType type, string tenantId = NumbersTenant) => type switch
    {
        DestinationType.User => $"SELECT 'USER ' || email || coalesce(' (' || extension || ')', '') AS label, extension IS NOT NULL AS ringable FROM users WHERE id = @targetId AND tenant_id = {tenantId}",
        DestinationType.Ivr => $"SELECT 'IVR ' || name AS label, true AS ringable FROM ivrs WHERE id = @targetId AND tenant_id = {tenantId}",
        DestinationType.Queue => $"SELECT 'QUEUE ' || name AS label, true AS ringable FROM queues WHERE id = @targetId AND tenant_id = {tenantId}",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "only users, IVRs and queues are looked up"),
    };

    private const string NumbersTenant = "(SELECT tenant_id FROM phone_numbers WHERE id = @numberId)";
}
