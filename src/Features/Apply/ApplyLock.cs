using System.Diagnostics;
using Dapper;
using Did.Infrastructure.Data;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>The PostgreSQL advisory lock that lets one apply run at a time across every replica. It lives on a session
/// of its own, outside the pool: an apply waiting for another must not take a pooled connection from the requests, and
/// a session lock must never be handed on to the next user of a pooled connection. Disposing releases it.</summary>
public sealed class ApplyLock : IAsyncDisposable
{
    public const long Key = 0x4449445F4150504C; // "DID_APPL"

    private readonly NpgsqlConnection _session;

    private ApplyLock(NpgsqlConnection session) => _session = session;

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/> for another apply to finish; null when it did not.</summary>
    public static async Task<ApplyLock?> TryTakeAsync(DedicatedConnections dedicated, TimeSpan wait, CancellationToken ct)
    {
        var session = await dedicated.OpenAsync("did-apply-lock", ct);
        try
        {
            var waited = Stopwatch.StartNew();
            while (!await session.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@Key)", new { Key }, cancellationToken: ct)))
            {
                if (waited.Elapsed >= wait)
                {
                    await session.DisposeAsync();
                    return null;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
            return new ApplyLock(session);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _session.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { Key });
        }
        finally
        {
            // Closing the session releases the lock too, should the unlock itself have failed.
            await _session.DisposeAsync();
        }
    }
}
