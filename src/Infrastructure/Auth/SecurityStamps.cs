using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Did.Infrastructure.Auth;

/// <summary>Every request's token is checked against its user's current security stamp. Reading it from PostgreSQL
/// cost a pooled connection and a round trip per request (a fifth of the service's CPU on the assign path), so stamps
/// are kept in memory, but only while <see cref="AuthChangeListener"/> holds a LISTEN on the channel the users
/// table notifies at every commit that rotates a stamp or deletes a user (migration M0007). Without the listener
/// nothing is cached and every request reads the database, as before.
/// <para>A read that overlaps an invalidation must not store the stamp it read, which may be the old one: every
/// invalidation moves <see cref="_generation"/>, and a read stores its result only if the generation it started at is
/// still current. Entries also expire after <c>Auth:StampCacheSeconds</c>, in case a notification is ever lost.</para>
/// </summary>
public sealed class SecurityStamps(NpgsqlDataSource db, TimeSpan maxAge)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<Guid, (Guid Stamp, long ExpiresAt)> _stamps = new();
    private readonly long _maxAgeMs = (long)maxAge.TotalMilliseconds;
    private long _generation;
    private volatile bool _trusted;

    /// <summary>Reads that went to the database (for tests and counters).</summary>
    public long Misses => Interlocked.Read(ref _misses);
    private long _misses;

    /// <summary>The user's current stamp, or null if the user does not exist.</summary>
    public async ValueTask<Guid?> CurrentAsync(Guid userId, CancellationToken ct)
    {
        var now = Environment.TickCount64;
        if (_trusted && _stamps.TryGetValue(userId, out var hit) && hit.ExpiresAt > now)
            return hit.Stamp;

        var generation = Interlocked.Read(ref _generation);
        Interlocked.Increment(ref _misses);
        Guid? stamp;
        await using (var conn = await db.OpenConnectionAsync(ct))
            stamp = await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
                "SELECT security_stamp FROM users WHERE id = @userId", new { userId }, cancellationToken: ct));

        if (stamp is { } s && _trusted && _maxAgeMs > 0)
        {
            if (_stamps.Count >= MaxEntries) _stamps.Clear();
            _stamps[userId] = (s, now + _maxAgeMs);
            // Stored after the check would be racy the other way round: check again, and take it back if an
            // invalidation (or a lost listener) happened while the database was being read.
            if (Interlocked.Read(ref _generation) != generation || !_trusted)
                _stamps.TryRemove(new KeyValuePair<Guid, (Guid, long)>(userId, (s, now + _maxAgeMs)));
        }
        return stamp;
    }

    /// <summary>This user's stamp changed or the user is gone: the next request reads the database.</summary>
    public void Forget(Guid userId)
    {
        Interlocked.Increment(ref _generation);
        _stamps.TryRemove(userId, out _);
    }

    /// <summary>Forget every stamp (a TRUNCATE, or a notification that could not be understood).</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _stamps.Clear();
    }

    /// <summary>The listener is on the channel: from now on every invalidation reaches us, so stamps may be kept.</summary>
    internal void StartTrusting(int listenerProcessId)
    {
        ForgetAll();
        ListenerProcessId = listenerProcessId;
        _trusted = _maxAgeMs > 0;
    }

    /// <summary>The PostgreSQL backend of the current listener (0 before the first), for tests and diagnostics.</summary>
    internal int ListenerProcessId { get; private set; }

    /// <summary>The listener lost its connection: notifications may be missed, so keep nothing until it is back.</summary>
    internal void StopTrusting()
    {
        _trusted = false;
        ForgetAll();
    }

    internal bool Trusted => _trusted;
}
