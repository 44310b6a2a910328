using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.Routing;
using Npgsql;

namespace Did.Features.Queues;

/// <summary>Reads queues with their members in two queries whatever the page size, and replaces a queue's members.</summary>
internal sealed class QueueStore : ITenantOwnedDestination<QueueResponse>
{
    /// <summary>The name a create or a rename collides on, named in its 409.</summary>
    public static Duplicate DuplicateName(string? name) => Duplicate.Name("ux_queues_tenant_name", "A queue", name);

    public static string Table => "queues";
    public static string What => "Queue";
    public static DestinationType Type => DestinationType.Queue;
    public static AuditEntity Entity => AuditEntity.Queue;
    public static (Guid TenantId, string Name) Describe(QueueResponse queue) => (queue.TenantId, queue.Name);

    private sealed record QueueRow(Guid Id, Guid TenantId, string Name, string Strategy, int MemberRingSeconds, int? MaxWaitSeconds,
        DateTime CreatedAt, DateTime UpdatedAt);

    public static async Task<List<QueueResponse>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string where, object args, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<QueueRow>(new CommandDefinition(
            $"SELECT id, tenant_id, name, strategy, member_ring_seconds, max_wait_seconds, created_at, updated_at FROM queues {where}", args, tx, cancellationToken: ct))).AsList();
        if (rows.Count == 0) return [];
        var members = (await conn.QueryAsync<(Guid QueueId, Guid UserId)>(new CommandDefinition(
            "SELECT queue_id, user_id FROM queue_members WHERE queue_id = ANY(@ids) ORDER BY queue_id, position",
            new { ids = rows.Select(r => r.Id).ToArray() }, tx, cancellationToken: ct))).ToLookup(m => m.QueueId, m => m.UserId);
        return rows.Select(r => new QueueResponse(r.Id, r.TenantId, r.Name, ApiJson.Parse<QueueStrategy>(r.Strategy), r.MemberRingSeconds,
            r.MaxWaitSeconds, members[r.Id].ToList(), r.CreatedAt, r.UpdatedAt)).ToList();
    }

    public static IReadOnlyList<RouteTarget> Targets(IReadOnlyList<Guid> members) =>
        members.Select((m, i) => new RouteTarget($"members[{i}]", DestinationType.User, m)).ToList();

    public static Task ReplaceMembersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid queueId, Guid tenantId,
        IReadOnlyList<Guid> members, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM queue_members WHERE queue_id = @queueId;
            INSERT INTO queue_members (queue_id, tenant_id, user_id, position)
            SELECT @queueId, @tenantId, u, p FROM unnest(@members) WITH ORDINALITY AS x(u, p);
            """, new { queueId, tenantId, members = members.ToArray() }, tx, cancellationToken: ct));
}
