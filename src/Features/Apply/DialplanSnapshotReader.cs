using System.Data;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Json;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Reads everything the dialplan is made of in one REPEATABLE READ, read-only transaction: the render sees
/// one consistent moment even while tenants keep editing.</summary>
public static class DialplanSnapshotReader
{
    private sealed record UserRow(Guid Id, Guid TenantId, string Email, string Extension);
    private sealed record IvrRow(Guid Id, Guid TenantId, string Name, string Greeting, int TimeoutSeconds);
    private sealed record KeyRow(Guid IvrId, string Key, string DestType, Guid? DestId);
    private sealed record QueueRow(Guid Id, Guid TenantId, string Name, string Strategy, int MemberRingSeconds);

    public static async Task<DialplanSnapshot> ReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await conn.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: tx, cancellationToken: ct));
        List<(Guid Id, string Slug)> tenants;
        ILookup<Guid, UserRow> users;
        List<IvrRow> ivrs;
        ILookup<Guid, KeyRow> keys;
        List<QueueRow> queues;
        ILookup<Guid, Guid> members;
        // Closed before the numbers are read: one command at a time on a connection.
        using (var r = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT id, slug FROM tenants;
            SELECT id, tenant_id, email, extension FROM users WHERE extension IS NOT NULL AND tenant_id IS NOT NULL;
            SELECT id, tenant_id, name, greeting, timeout_seconds FROM ivrs;
            SELECT ivr_id, key, dest_type, coalesce(dest_user_id, dest_ivr_id, dest_queue_id) AS dest_id FROM ivr_destinations;
            SELECT id, tenant_id, name, strategy, member_ring_seconds FROM queues;
            SELECT queue_id, user_id FROM queue_members ORDER BY queue_id, position;
            """, transaction: tx, cancellationToken: ct)))
        {
            tenants = (await r.ReadAsync<(Guid Id, string Slug)>()).ToList();
            users = (await r.ReadAsync<UserRow>()).ToLookup(u => u.TenantId);
            ivrs = (await r.ReadAsync<IvrRow>()).ToList();
            keys = (await r.ReadAsync<KeyRow>()).ToLookup(k => k.IvrId);
            queues = (await r.ReadAsync<QueueRow>()).ToList();
            members = (await r.ReadAsync<(Guid QueueId, Guid UserId)>()).ToLookup(m => m.QueueId, m => m.UserId);
        }
        var numbers = await ReadNumbersAsync(conn, tx, ct);
        await tx.CommitAsync(ct);

        var hangup = new Destination(DestinationType.Hangup, null);
        var ivrsByTenant = ivrs.ToLookup(i => i.TenantId, i =>
        {
            var all = keys[i.Id].ToDictionary(k => k.Key, k => new Destination(ApiJson.Parse<DestinationType>(k.DestType), k.DestId));
            var options = all.Where(kv => kv.Key is not ("t" or "i")).ToDictionary(kv => kv.Key, kv => kv.Value);
            return new IvrSnapshot(i.Id, i.Name, i.Greeting, i.TimeoutSeconds, options,
                all.GetValueOrDefault("t", hangup), all.GetValueOrDefault("i", hangup));
        });
        var queuesByTenant = queues.ToLookup(q => q.TenantId, q =>
            new QueueSnapshot(q.Id, q.Name, ApiJson.Parse<QueueStrategy>(q.Strategy), q.MemberRingSeconds, members[q.Id].ToList()));

        return new DialplanSnapshot(
            tenants.Select(t => new TenantSnapshot(t.Id, t.Slug,
                users[t.Id].Select(u => new UserSnapshot(u.Id, u.Email, u.Extension)).ToList(),
                ivrsByTenant[t.Id].ToList(), queuesByTenant[t.Id].ToList())).ToList(),
            numbers);
    }

    /// <summary>The numbers, the biggest set (one row per routed DID), straight from the reader into the snapshot's
    /// records: no intermediate row objects and no boxed Guids. Same transaction, so the same snapshot as the rest.</summary>
    private static async Task<List<RoutedNumber>> ReadNumbersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT p.number, a.tenant_id, a.assigned_type, a.assigned_id, a.assigned_value
            FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id
            """, conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var numbers = new List<RoutedNumber>();
        while (await reader.ReadAsync(ct))
            numbers.Add(new RoutedNumber(reader.GetString(0), reader.GetGuid(1), ApiJson.Parse<AssignmentType>(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        return numbers;
    }
}
