using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Errors;
using Npgsql;

namespace Did.Infrastructure.Routing;

/// <summary>Refuses to delete a user, IVR or queue that calls still reach: numbers routed to it (by default, by a rule or
/// as their failover), IVR keys that send to it, queues it answers for. The 409 names them so the operator knows what
/// to re-route first. The foreign keys refuse the same deletes; this only makes the answer readable.</summary>
public static class RouteReferences
{
    private const int Named = 10;

    public static async Task EnsureUnreferencedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DestinationType type, Guid id,
        string label, CancellationToken ct)
    {
        var (assignmentColumn, failoverColumn, destinationColumn) = type switch
        {
            DestinationType.User => ("assigned_user_id", "failover_user_id", "dest_user_id"),
            DestinationType.Ivr => ("assigned_ivr_id", "failover_ivr_id", "dest_ivr_id"),
            DestinationType.Queue => ("assigned_queue_id", "failover_queue_id", "dest_queue_id"),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        // IVR keys and route rules name their destination in columns of the same name (dest_user_id, ...).
        using var r = await conn.QueryMultipleAsync(new CommandDefinition($"""
            SELECT p.number FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id WHERE a.{assignmentColumn} = @id
            UNION
            SELECT p.number FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id WHERE a.{failoverColumn} = @id
            UNION
            SELECT p.number FROM did_route_rules d JOIN phone_numbers p ON p.id = d.phone_number_id WHERE d.{destinationColumn} = @id
            ORDER BY number;
            SELECT DISTINCT i.name FROM ivr_destinations d JOIN ivrs i ON i.id = d.ivr_id
            WHERE d.{destinationColumn} = @id AND d.ivr_id <> @id ORDER BY i.name;
            SELECT q.name FROM queue_members m JOIN queues q ON q.id = m.queue_id WHERE m.user_id = @id ORDER BY q.name;
            """, new { id }, tx, cancellationToken: ct));
        var numbers = (await r.ReadAsync<string>()).ToList();
        var ivrs = (await r.ReadAsync<string>()).ToList();
        var queues = (await r.ReadAsync<string>()).ToList();
        if (numbers.Count + ivrs.Count + queues.Count == 0) return;

        var parts = new List<string>();
        if (numbers.Count > 0) parts.Add($"{numbers.Count} number(s) route to it, by default, by a rule or as failover ({List(numbers)})");
        if (ivrs.Count > 0) parts.Add($"IVR(s) {List(ivrs)} send calls to it");
        if (queues.Count > 0) parts.Add($"it is a member of queue(s) {List(queues)}");
        throw Problem.Conflict($"{label} is still in use: {string.Join("; ", parts)}. Re-route those first.",
            new Dictionary<string, object?> { ["numbers"] = numbers, ["ivrs"] = ivrs, ["queues"] = queues });
    }

    private static string List(List<string> items) =>
        string.Join(", ", items.Take(Named)) + (items.Count > Named ? $", ... ({items.Count} in all)" : "");
}
