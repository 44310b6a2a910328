namespace Did.Tests.Fakes;

/// <summary>What a real Asterisk spends on the work the fake does for free, so that a benchmark against the fake shows
/// the time a real switch would take. Off (all zero) in ordinary tests; <see cref="RealAsterisk"/> in bench/apply.sh.
/// Listing a dialplan is paid under one switch-wide lock (the listings of two connections do not overlap), a reload
/// under the reload lock, live changes per session. Calibration and its source: docs/performance.md.</summary>
public sealed record FakeSwitchCost(TimeSpan PerPriorityListed, TimeSpan PerLineReloaded, TimeSpan PerLiveChange)
{
    public static readonly FakeSwitchCost Free = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The real Asterisk of shared/asterisk/README.md on the 2-core machine: <c>ShowDialPlan</c> of 131,204
    /// priorities in 4.0 s, <c>Reload pbx_config</c> of the same file (~132,000 lines) in 1.03 s, 2,000 pipelined
    /// <c>DialplanExtensionAdd</c> in 0.047 s.</summary>
    public static readonly FakeSwitchCost RealAsterisk = new(
        PerPriorityListed: TimeSpan.FromTicks(305),  // 30.5 µs: 4.0 s / 131,204
        PerLineReloaded: TimeSpan.FromTicks(78),     // 7.8 µs: 1.03 s / ~132,000 lines
        PerLiveChange: TimeSpan.FromTicks(235));     // 23.5 µs: 0.047 s / 2,000

    public bool IsFree => this == Free;
}
