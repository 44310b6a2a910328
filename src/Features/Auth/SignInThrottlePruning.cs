using Microsoft.Extensions.Options;

namespace Did.Features.Auth;

/// <summary>Deletes expired <c>login_throttle</c> rows every <see cref="SignInOptions.PruneIntervalSeconds"/>, so the
/// table holds only the counts still in force. Every replica may run it; they skip each other's rows.</summary>
public sealed class SignInThrottlePruning(SignInThrottle throttle, IOptions<SignInOptions> options, ILogger<SignInThrottlePruning> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PruneIntervalSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await throttle.PruneAsync(stoppingToken);
                    if (deleted > 0) log.LogDebug("Deleted {Rows} expired sign-in throttle rows", deleted);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning("Could not delete expired sign-in throttle rows ({Error}); trying again at the next interval", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
