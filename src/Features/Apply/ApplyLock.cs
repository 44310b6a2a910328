using System.Data;
using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>The PostgreSQL advisory lock that lets one apply run at a time across every replica. It lives on a session
/// outside the pool (<see cref="ApplyLockSession"/>): an apply waiting for another must not take a pooled connection from
/// the requests, and a session lock must never be handed on to the next user of a pooled connection. Disposing releases
/// it.</summary>
public sealed class ApplyLock : IAsyncDisposable
{
    public const long Key = 0x4449445F4150504C; // "DID_APPL"

    private readonly ApplyLockSession _sessions;
    private readonly NpgsqlConnection _session;

    private ApplyLock(ApplyLockSession sessions, NpgsqlConnection session) => (_sessions, _session) = (sessions, session);

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/> for another apply to finish; null when it did not.</summary>
    public static async Task<ApplyLock?> TryTakeAsync(ApplyLockSession sessions, TimeSpan wait, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var session = await sessions.EnterAsync(wait, ct);
            if (session is null) return null;
            try
            {
                while (!await session.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@Key)", new { Key }, cancellationToken: ct)))
                {
                    if (waited.Elapsed >= wait)
                    {
                        await sessions.LeaveAsync(keep: true);
                        return null;
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
                }
                return new ApplyLock(sessions, session);
            }
            catch (NpgsqlException) when (attempt == 1 && session.State != ConnectionState.Open)
            {
                // The server closed the kept session since the last apply (a restart, an administrator): once more on a new one.
                await sessions.LeaveAsync(keep: false);
            }
            catch
            {
                await sessions.LeaveAsync(keep: false);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var released = false;
        try
        {
            released = await _session.ExecuteScalarAsync<bool>("SELECT pg_advisory_unlock(@Key)", new { Key });
        }
        finally
        {
            // A session whose unlock failed is closed, which releases the lock too.
            await _sessions.LeaveAsync(keep: released);
        }
    }
}
