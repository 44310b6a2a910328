using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Json;
using Did.Infrastructure.Routing;
using Did.Infrastructure.Validation;
using FluentValidation;
using Npgsql;

namespace Did.Features.Queues;

/// <summary>Reads queues with their members in two queries whatever the page size, and replaces a queue's members.</summary>
internal sealed class QueueStore : ITenantOwnedStore<QueueResponse>
{
    public static string Table => "queues";
    public static string What => "Queue";
    public static DestinationType Type => DestinationType.Queue;
    public static AuditEntity Entity => AuditEntity.Queue;
    public static (Guid TenantId, string Name) Describe(QueueResponse queue) => (queue.TenantId, queue.Name);

    private sealed record QueueRow(Guid Id, Guid TenantId, string Name, string Strategy, int MemberRingSeconds, DateTime CreatedAt, DateTime UpdatedAt);

    public static async Task<List<QueueResponse>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string where, object args, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<QueueRow>(new CommandDefinition(
            $"SELECT id, tenant_id, name, strategy, member_ring_seconds, created_at, updated_at FROM queues {where}", args, tx, cancellationToken: ct))).AsList();
        if (rows.Count == 0) return [];
        var members = (await conn.QueryAsync<(Guid QueueId, Guid UserId)>(new CommandDefinition(
            "SELECT queue_id, user_id FROM queue_members WHERE queue_id = ANY(@ids) ORDER BY queue_id, position",
            new { ids = rows.Select(r => r.Id).ToArray() }, tx, cancellationToken: ct))).ToLookup(m => m.QueueId, m => m.UserId);
        return rows.Select(r => new QueueResponse(r.Id, r.TenantId, r.Name, ApiJson.Parse<QueueStrategy>(r.Strategy), r.MemberRingSeconds,
            members[r.Id].ToList(), r.CreatedAt, r.UpdatedAt)).ToList();
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

internal static class QueueRules
{
    public const string NamePattern = "^[a-z0-9-]{1,40}$";

    public const string MemberRingSecondsDescription =
        "How long the queue rings one member, in seconds (1 to 600), before it moves on to the next member "
        + "(queues.conf 'timeout'). Not how long a caller may wait in the queue. A member's phone only rings: "
        + "an unanswered or unreachable member never sends the caller to that member's voicemail.";

    public static IRuleBuilderOptions<T, int?> MemberRingSeconds<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(1, 600).WithMessage("'{PropertyName}' must be 1 to 600 seconds (you sent {PropertyValue}).");

    public static IRuleBuilderOptions<T, int> MemberRingSeconds<T>(this IRuleBuilder<T, int> rule) =>
        rule.InclusiveBetween(1, 600).WithMessage("'{PropertyName}' must be 1 to 600 seconds (you sent {PropertyValue}).");

    public static IRuleBuilderOptions<T, string?> QueueName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(NamePattern).WithMessage("'{PropertyName}' must match " + NamePattern + " (you sent '{PropertyValue}').");

    public static IRuleBuilderOptions<T, IReadOnlyList<Guid>?> Members<T>(this IRuleBuilder<T, IReadOnlyList<Guid>?> rule) =>
        rule.Must(m => m is null || m.Count <= 500).WithMessage("'members' holds at most 500 users.")
            .Must(m => m is null || m.Distinct().Count() == m.Count).WithMessage("'members' lists a user twice.");
}
