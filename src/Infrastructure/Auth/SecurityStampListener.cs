using Did.Infrastructure.Data;
using Npgsql;

namespace Did.Infrastructure.Auth;

/// <summary>Holds a LISTEN on <c>did_security_stamp</c> and forgets the stamps it names (see <see cref="SecurityStamps"/>).
/// Its connection lives as long as the service, so it is opened outside the pool (a pooled one would take a slot from
/// the requests for good). While it is down, nothing is cached; it reconnects with a growing pause.</summary>
public sealed class SecurityStampListener(DedicatedConnections connections, SecurityStamps stamps, ILogger<SecurityStampListener> log) : BackgroundService
{
    public const string Channel = "did_security_stamp";
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
                log.LogWarning("Security stamp listener lost its connection ({Error}); stamps are read per request until it is back",
                    e.Message);
            }
            finally
            {
                stamps.StopTrusting();
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
            if (Guid.TryParse(e.Payload, out var id)) stamps.Forget(id);
            else stamps.ForgetAll();
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
            await listen.ExecuteNonQueryAsync(ct);
        stamps.StartTrusting(conn.ProcessID);
        while (true)
        {
            // A quiet channel says nothing about the connection: prove it is alive now and then, so a dead one is
            // noticed (and the cache dropped) within a heartbeat.
            if (!await conn.WaitAsync(Heartbeat, ct))
                await using (var ping = new NpgsqlCommand("SELECT 1", conn))
                    await ping.ExecuteScalarAsync(ct);
        }
    }
}
