using System.Data;
using Did.Infrastructure.Data;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>The database session the <see cref="ApplyLock"/> is taken on, kept open from one apply to the next: a session
/// of its own per apply would start a server process every time. Outside the pool, for the reasons the lock gives. One
/// holder at a time in this process; a session whose lock may still be held, or that broke, is closed, which releases
/// whatever it held.</summary>
public sealed class ApplyLockSession(DedicatedConnections dedicated) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _session;

    /// <summary>The session, the caller's alone until <see cref="LeaveAsync"/>; null when another holder kept it past
    /// <paramref name="wait"/>.</summary>
    internal async Task<NpgsqlConnection?> EnterAsync(TimeSpan wait, CancellationToken ct)
    {
        if (!await _gate.WaitAsync(wait, ct)) return null;
        try
        {
            if (_session is { State: ConnectionState.Open } open) return open;
            if (_session is not null) await _session.DisposeAsync();
            _session = null;
            return _session = await dedicated.OpenAsync("did-apply-lock", ct);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    /// <summary>Gives the session back, closing it unless <paramref name="keep"/>.</summary>
    internal async Task LeaveAsync(bool keep)
    {
        try
        {
            if (!keep && _session is not null)
            {
                await _session.DisposeAsync();
                _session = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null) await _session.DisposeAsync();
        _gate.Dispose();
    }
}
