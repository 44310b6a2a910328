using Microsoft.Extensions.Options;

namespace Did.Infrastructure.Auth;

/// <summary>Writes API keys' last-used times every <see cref="ApiKeyOptions.LastUsedFlushSeconds"/>, and once more when
/// the service stops.</summary>
public sealed class ApiKeyUsageFlush(ApiKeyUsage usage, IOptions<ApiKeyOptions> options, ILogger<ApiKeyUsageFlush> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        try
        {
            await usage.FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Could not write API keys' last-used times ({Error}); trying again at the next interval", e.Message);
        }
    }
}
