using System.Collections.Concurrent;
using System.Data;
using Dapper;
using Did.Infrastructure.Data;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Deep pages without an OFFSET walk. For the whole inventory and for each tenant's numbers it keeps the
/// number at every <see cref="Stride"/>-th position ("anchors"), so page N starts with an index range
/// <c>number &gt;= anchor</c> and skips fewer than <see cref="Stride"/> rows, at any depth.
/// Anchors are only trusted when <c>did_list_epoch</c> reads the same in the caller's snapshot as when they were built;
/// triggers move that epoch in the same transaction as anything that inserts, deletes or re-tenants a number, so a
/// page is exactly what OFFSET would have returned. A change costs one rebuild (an index-only hop every Stride rows,
/// ~0.1 s for a million numbers), shared by concurrent requests.</summary>
public sealed class DidPageAnchors(DedicatedConnections connections, IConfiguration config, ILogger<DidPageAnchors> log)
{
    private const int MaxScopes = 1024; // one per tenant that pages deep; cleared when exceeded, never unbounded
    private readonly ConcurrentDictionary<Guid, Lazy<Task<Built>>> _builds = new();

    private long _rebuilds;

    public int Stride { get; } = Math.Max(2, config.GetValue<int?>("Dids:PageAnchorStride") ?? 1_000);

    /// <summary>How many times anchors were (re)built since start: once per change of the list that someone pages deep into.</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    private sealed record Built(long Epoch, string[] Numbers);

    /// <summary>Where the page at <paramref name="offset"/> starts: rows from <c>Anchor</c> on, skipping <c>Skip</c>.
    /// Null when the anchors cannot be trusted for the caller's snapshot (or none exist): the caller uses OFFSET.
    /// <paramref name="tx"/> must be REPEATABLE READ so the epoch read here and the page read after it agree.</summary>
    public async Task<(string Anchor, long Skip)?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid? tenant, long offset,
        CancellationToken ct)
    {
        var epoch = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT epoch FROM did_list_epoch", transaction: tx, cancellationToken: ct));
        if (await GetAsync(tenant ?? Guid.Empty, epoch, ct) is not { Numbers.Length: > 0 } anchors) return null;
        var i = Math.Min(offset / Stride, anchors.Numbers.Length - 1);
        return (anchors.Numbers[i], offset - i * Stride);
    }

    private async Task<Built?> GetAsync(Guid scope, long epoch, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (_builds.Count > MaxScopes) _builds.Clear();
            var build = _builds.GetOrAdd(scope, s => new Lazy<Task<Built>>(() => BuildAsync(s)));
            Built built;
            try
            {
                built = await build.Value.WaitAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _builds.TryRemove(new(scope, build));
                log.LogWarning(e, "Building the DID list's page anchors failed; this page is read with OFFSET");
                return null;
            }
            if (built.Epoch == epoch) return built;
            if (built.Epoch > epoch) return null; // the caller's snapshot is older than the newest anchors
            _builds.TryRemove(new(scope, build)); // the list changed since: build again, once
        }
        return null;
    }

    // Not tied to one request's cancellation: concurrent requests wait for the same build. Its connection is not from
    // the pool: the requests waiting for it each hold a pooled connection already, and with as many of them as the
    // pool has connections, a pooled build would wait for one of them until the pool's timeout.
    private async Task<Built> BuildAsync(Guid scope)
    {
        Interlocked.Increment(ref _rebuilds);
        var tenantFilter = scope == Guid.Empty ? "" : "AND tenant_id = @tenant";
        await using var conn = await connections.OpenAsync("did-page-anchors", CancellationToken.None);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        var epoch = await conn.ExecuteScalarAsync<long>("SELECT epoch FROM did_list_epoch", transaction: tx);
        // Each step hops Stride entries along the (tenant_id,) number index from the previous anchor.
        var numbers = await conn.QueryAsync<string>($"""
            WITH RECURSIVE a(pos, number) AS (
                (SELECT 0::bigint, number FROM phone_numbers WHERE true {tenantFilter} ORDER BY number LIMIT 1)
                UNION ALL
                SELECT a.pos + @stride, (SELECT p.number FROM phone_numbers p WHERE p.number > a.number {tenantFilter}
                                         ORDER BY p.number OFFSET @stride - 1 LIMIT 1)
                FROM a WHERE a.number IS NOT NULL
            )
            SELECT number FROM a WHERE number IS NOT NULL ORDER BY pos
            """, new { stride = Stride, tenant = scope }, tx);
        await tx.CommitAsync();
        return new Built(epoch, numbers.AsList().ToArray());
    }
}
