using System.Collections.Concurrent;
using Dapper;
using Did.Infrastructure.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Infrastructure.Auth;

/// <summary>A key that may be used now: who it acts as and until when.</summary>
public sealed record ApiKeyIdentity(Guid Id, Role Role, Guid? TenantId, Guid CreatedBy, DateTime? ExpiresAt);

/// <summary>Finds the key a request presents, by the SHA-256 of its secret. Checked keys are kept in memory, as
/// <see cref="SecurityStamps"/> keeps stamps: only while <see cref="AuthChangeListener"/> holds a LISTEN on the channel
/// the api_keys table notifies at every commit that deletes a key (revoked, or gone with its creator or tenant) or
/// changes what it may do (migration M0026). Without the listener nothing is kept and every request reads the database.
/// <para>A key's expiry is checked on every use, from memory too, against this service's clock; the database read
/// compares with the same clock, so an expired key ends at the same instant whether or not it was in memory. A read that
/// overlaps an invalidation does not store what it read (the generation check of <see cref="SecurityStamps"/>).</para>
/// <para>Unknown, revoked and expired keys are the same miss: a database read that finds no row.</para></summary>
public sealed class ApiKeyLookup(NpgsqlDataSource db, IOptions<ApiKeyOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (ApiKeyIdentity Key, long CachedUntil)> _keys = new(StringComparer.Ordinal);
    private readonly long _maxAgeMs = options.Value.CacheSeconds * 1000L;
    private readonly int _capacity = options.Value.CacheSize;
    private long _generation;
    private volatile bool _trusted;
    private long _misses;

    /// <summary>Reads that went to the database (for tests and counters).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The key with this secret hash, if it is in memory and has not expired.</summary>
    public bool TryGetCached(ReadOnlySpan<byte> hash, out ApiKeyIdentity? key)
    {
        key = null;
        if (!_trusted || !_keys.TryGetValue(Convert.ToHexString(hash), out var hit)) return false;
        if (hit.CachedUntil <= Environment.TickCount64 || IsExpired(hit.Key)) return false;
        key = hit.Key;
        return true;
    }

    /// <summary>The usable key with this secret hash from the database (kept in memory when it may be), or null.</summary>
    public async ValueTask<ApiKeyIdentity?> LoadAsync(byte[] hash, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref _generation);
        Interlocked.Increment(ref _misses);
        var now = clock.GetUtcNow().UtcDateTime;
        Row? row;
        await using (var conn = await db.OpenConnectionAsync(ct))
            row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
                SELECT id, role, tenant_id, created_by, expires_at FROM api_keys
                WHERE secret_sha256 = @hash AND (expires_at IS NULL OR expires_at > @now)
                """, new { hash, now }, cancellationToken: ct));
        if (row is null) return null;

        var key = new ApiKeyIdentity(row.Id, ApiJson.Parse<Role>(row.Role), row.TenantId, row.CreatedBy, row.ExpiresAt);
        if (_trusted && _maxAgeMs > 0 && _capacity > 0)
        {
            var id = Convert.ToHexString(hash);
            if (_keys.Count >= _capacity) Sweep();
            if (_keys.Count < _capacity)
            {
                var entry = (key, Environment.TickCount64 + _maxAgeMs);
                _keys[id] = entry;
                // As in SecurityStamps: take it back if an invalidation (or a lost listener) came while the database was read.
                if (Interlocked.Read(ref _generation) != generation || !_trusted)
                    _keys.TryRemove(new KeyValuePair<string, (ApiKeyIdentity, long)>(id, entry));
            }
        }
        return key;
    }

    /// <summary>Whether a key is in memory (for tests).</summary>
    internal bool Holds(Guid keyId) => _keys.Values.Any(e => e.Key.Id == keyId);

    /// <summary>This key was deleted or changed: its next use reads the database. Keys are few and change rarely, so
    /// a scan is cheaper than keeping second indexes by id, creator and tenant.</summary>
    public void Forget(Guid keyId)
    {
        ForgetWhere(k => k.Id == keyId);
        Forgotten?.Invoke(keyId);
    }

    /// <summary>The keys this user created may have been deleted with it, or by its change of role or tenant (trigger
    /// on users): the handler that committed that change calls this, so that its own instance does not wait for the
    /// notification. The other instances hear each deleted key's id.</summary>
    public void ForgetCreatedBy(Guid userId) => ForgetWhere(k => k.CreatedBy == userId);

    /// <summary>The keys of this tenant were deleted with it (see <see cref="ForgetCreatedBy"/>).</summary>
    public void ForgetTenant(Guid tenantId) => ForgetWhere(k => k.TenantId == tenantId);

    private void ForgetWhere(Func<ApiKeyIdentity, bool> gone)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (hash, entry) in _keys)
            if (gone(entry.Key)) _keys.TryRemove(hash, out _);
    }

    /// <summary>Raised after a key is forgotten (for tests that wait for another instance to hear of a revocation).</summary>
    internal event Action<Guid>? Forgotten;

    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _keys.Clear();
    }

    internal void StartTrusting()
    {
        ForgetAll();
        _trusted = _maxAgeMs > 0;
        _listening.TrySetResult();
    }

    internal void StopTrusting()
    {
        _trusted = false;
        ForgetAll();
        if (_listening.Task.IsCompleted) _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Completes when the listener is on the channel (for tests that need keys kept in memory).</summary>
    internal Task Listening => _listening.Task;

    private TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal bool Trusted => _trusted;

    private bool IsExpired(ApiKeyIdentity key) => key.ExpiresAt is { } at && at <= clock.GetUtcNow().UtcDateTime;

    /// <summary>Drops entries past their age or expiry when the cache is full; still full, new keys are not kept.</summary>
    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (hash, entry) in _keys)
            if (entry.CachedUntil <= now || IsExpired(entry.Key)) _keys.TryRemove(hash, out _);
    }

    private sealed record Row(Guid Id, string Role, Guid? TenantId, Guid CreatedBy, DateTime? ExpiresAt);
}
