using Did.Infrastructure.Data;
using Npgsql;

namespace Did.Infrastructure.Auth;

/// <summary>Holds a LISTEN on the channels that say what a credential may no longer do: <c>did_security_stamp</c>
/// (a user's stamp rotated or the user deleted: <see cref="SecurityStamps"/>) and <c>did_api_key</c> (a key deleted or
/// changed: <see cref="ApiKeyLookup"/>), and forgets what they name. One connection serves both; it lives as long as the
/// service, so it is opened outside the pool (a pooled one would take a slot from the requests for good). While it is
/// down, nothing is cached; it reconnects with a growing pause.</summary>
public sealed class AuthChangeListener(DedicatedConnections connections, SecurityStamps stamps, ApiKeyLookup keys, ILogger<AuthChangeListener> log)
    : BackgroundService
{
    public const string StampChannel = "did_security_stamp";
    public const string KeyChannel = "did_api_key";
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("Credential change listener lost its connection ({Error}); stamps and API keys are read per request until it is back",
                    e.Message);
            }
            finally
            {
                stamps.StopTrusting();
                keys.StopTrusting();
            }
            try { await Task.Delay(pause, stoppingToken); }
            catch (OperationCanceledException) { return; }
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        await using var conn = await connections.OpenAsync("did-listener", ct);
        conn.Notification += (_, e) =>
        {
            var known = Guid.TryParse(e.Payload, out var id);
            if (e.Channel == KeyChannel)
            {
                if (known) keys.Forget(id);
                else keys.ForgetAll();
            }
            else if (known) stamps.Forget(id);
            else stamps.ForgetAll();
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {StampChannel}; LISTEN {KeyChannel}", conn))
            await listen.ExecuteNonQueryAsync(ct);
        stamps.StartTrusting(conn.ProcessID);
        keys.StartTrusting();
        while (true)
        {
            // A quiet channel says nothing about the connection: prove it is alive now and then, so a dead one is
            // noticed (and the caches dropped) within a heartbeat.
            if (!await conn.WaitAsync(Heartbeat, ct))
                await using (var ping = new NpgsqlCommand("SELECT 1", conn))
                    await ping.ExecuteScalarAsync(ct);
        }
    }
}
