using Dapper;
using Did.Features.Apply;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.Drift;

/// <summary>Runs a drift check every <see cref="ApplyOptions.DriftCheckMinutes"/> (0: never). Every replica ticks; a
/// replica runs a check only when none has started within the interval (so replicas do not check back to back), and
/// the check's own lock lets only one run at a time. Does nothing while Apply is not configured.</summary>
public sealed class DriftCheckSchedule(
    IServiceScopeFactory scopes, NpgsqlDataSource db, AsteriskNodes nodes, IOptions<ApplyOptions> options, TimeProvider clock,
    ILogger<DriftCheckSchedule> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var minutes = options.Value.DriftCheckMinutes;
        if (minutes <= 0) return;
        var interval = TimeSpan.FromMinutes(minutes);
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (!Configured() || !await DueAsync(interval, stoppingToken)) continue;
                using var scope = scopes.CreateScope();
                var system = scope.ServiceProvider.GetRequiredService<Infrastructure.Auth.RequestContext>(); // outside a request: no actor
                var check = await scope.ServiceProvider.GetRequiredService<DriftCheckRunner>().TryRunAsync(system, stoppingToken);
                if (check is not null) log.LogInformation("Scheduled drift check {Check}: {Status}", check.Id, check.Status);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "The scheduled drift check did not run; the next tick tries again");
            }
        }
    }

    private bool Configured() => nodes.AllOrNone.Count > 0;

    /// <summary>No check started within the last <paramref name="interval"/> (less a tenth, so that ticks that drift a
    /// little still run), here or on another replica.</summary>
    private async Task<bool> DueAsync(TimeSpan interval, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return !await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM drift_checks WHERE started_at > now() - make_interval(secs => @seconds))",
            new { seconds = interval.TotalSeconds * 0.9 }, cancellationToken: ct));
    }
}
