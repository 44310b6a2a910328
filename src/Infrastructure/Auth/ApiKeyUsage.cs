using System.Collections.Concurrent;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Json;
using Npgsql;

namespace Did.Infrastructure.Auth;

/// <summary>What is recorded when a key is used. The first use from a network the key has not been used from (IPv4
/// /32, IPv6 /64) writes one audit row, USE_FROM_NEW_ADDRESS, in the statement that remembers the network
/// (api_key_addresses), so the row is written once whichever instance sees that use first. Every use moves the key's
/// last-used time in memory; <see cref="ApiKeyUsageFlush"/> writes it every <c>Auth:ApiKeys:LastUsedFlushSeconds</c>,
/// so a busy key costs no write per request.</summary>
public sealed class ApiKeyUsage(NpgsqlDataSource db, TimeProvider clock)
{
    private const int MaxKnownNetworks = 100_000;
    private readonly ConcurrentDictionary<(Guid Key, string Network), byte> _known = new();
    private readonly ConcurrentDictionary<Guid, DateTime> _lastUsed = new();

    /// <summary>Records a use; false when the key was deleted while the use was being recorded.</summary>
    public async ValueTask<bool> RecordAsync(ApiKeyIdentity key, string network, HttpContext http, CancellationToken ct)
    {
        _lastUsed[key.Id] = clock.GetUtcNow().UtcDateTime;
        if (_known.ContainsKey((key.Id, network))) return true;

        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                WITH seen AS (
                    INSERT INTO api_key_addresses (key_id, network) VALUES (@keyId, @network::inet)
                    ON CONFLICT DO NOTHING
                    RETURNING key_id),
                used AS (
                    UPDATE api_keys SET last_used_at = now() WHERE id IN (SELECT key_id FROM seen) RETURNING id, tenant_id)
                INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, after, source_ip, user_agent, request_id)
                SELECT @auditId, clock_timestamp(), id, @action, @entity, id, tenant_id, @after::jsonb, @sourceIp, @userAgent, @requestId FROM used
                """, new
                {
                    keyId = key.Id, network, auditId = Guid.CreateVersion7(),
                    action = ApiJson.Name(AuditAction.UseFromNewAddress), entity = ApiJson.Name(AuditEntity.ApiKey),
                    after = ApiJson.Serialize(new { network }),
                    sourceIp = http.Connection.RemoteIpAddress?.ToString(),
                    userAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null,
                    requestId = http.TraceIdentifier,
                }, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return false; // revoked between its check and now
        }
        if (_known.Count >= MaxKnownNetworks) _known.Clear();
        _known.TryAdd((key.Id, network), 0);
        return true;
    }

    /// <summary>Writes the last-used times gathered since the previous call. A time is only ever moved forward, so two
    /// instances writing the same key leave the later one.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_lastUsed.IsEmpty) return;
        var ids = new List<Guid>();
        var times = new List<DateTime>();
        foreach (var (id, at) in _lastUsed)
            if (_lastUsed.TryRemove(new KeyValuePair<Guid, DateTime>(id, at)))
            {
                ids.Add(id);
                times.Add(at);
            }
        if (ids.Count == 0) return;
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE api_keys k SET last_used_at = u.at
                FROM unnest(@ids, @times) AS u(id, at)
                WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)
                """, new { ids = ids.ToArray(), times = times.ToArray() }, cancellationToken: ct));
        }
        catch
        {
            // Kept for the next flush, unless a later use has replaced it meanwhile.
            for (var i = 0; i < ids.Count; i++)
                _lastUsed.AddOrUpdate(ids[i], times[i], (_, later) => later > times[i] ? later : times[i]);
            throw;
        }
    }
}
