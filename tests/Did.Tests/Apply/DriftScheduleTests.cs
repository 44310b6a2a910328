using Dapper;
using Did.Features.Apply;
using Did.Features.Drift;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>The drift check schedule, driven by a clock the test ticks: a tick runs a check when none started within the
/// interval, and a schedule of 0 minutes never runs.</summary>
public sealed class DriftScheduleTests : ApplyFixtureBase
{
    /// <summary>A clock whose timers fire only when the test says so.</summary>
    private sealed class TickedClock : TimeProvider
    {
        private readonly List<(TimerCallback Callback, object? State)> _timers = [];

        public int Timers
        {
            get
            {
                lock (_timers) return _timers.Count;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_timers) _timers.Add((callback, state));
            return new Timer();
        }

        public void Tick()
        {
            lock (_timers)
                foreach (var (callback, state) in _timers) callback(state);
        }

        private sealed class Timer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private DriftCheckSchedule Schedule(TimeProvider clock, int minutes) => new(
        App.Services.GetRequiredService<IServiceScopeFactory>(), App.Services.GetRequiredService<NpgsqlDataSource>(),
        App.Services.GetRequiredService<AsteriskNodes>(), Options.Create(new ApplyOptions { DriftCheckMinutes = minutes, VerifyConnections = 1 }),
        clock, NullLogger<DriftCheckSchedule>.Instance);

    private async Task<List<(Guid? RequestedBy, string Status)>> ChecksAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return [.. await conn.QueryAsync<(Guid?, string)>("SELECT requested_by, status FROM drift_checks ORDER BY started_at")];
    }

    [Test]
    public async Task A_tick_runs_a_check_when_none_ran_within_the_interval()
    {
        await ApplyOkAsync();
        var clock = new TickedClock();
        var schedule = Schedule(clock, 15);
        await schedule.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => Task.FromResult(clock.Timers == 1), "the schedule waits for its first tick");
            var before = (await ChecksAsync()).Count;
            clock.Tick();
            await WaitUntilAsync(async () => (await ChecksAsync()).Count(c => c.Status != "RUNNING") == before + 1, "the ticked check has finished");
            var check = (await ChecksAsync())[^1];
            Assert.That(check, Is.EqualTo(((Guid?)null, "IN_SYNC")), "a scheduled check has no requester");
        }
        finally
        {
            await schedule.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_schedule_of_zero_minutes_never_runs()
    {
        var clock = new TickedClock();
        var schedule = Schedule(clock, 0);
        await schedule.StartAsync(CancellationToken.None);
        await schedule.ExecuteTask!;
        Assert.That(clock.Timers, Is.Zero);
    }
}
