namespace Did.Tests.Fakes;

/// <summary>How the fake presents itself. Defaults match the recorded Asterisk (<c>tests/Did.Tests/Transcripts</c>).</summary>
public sealed class FakeAsteriskOptions
{
    public string Banner { get; set; } = "Asterisk Call Manager/13.0.0";
    public string Username { get; set; } = "heldout";
    public string Secret { get; set; } = "heldout-secret";
    public string SystemName { get; set; } = "heldout";

    /// <summary>The dialplan file in the config dir that <c>Reload</c> of pbx_config reads.</summary>
    public string DialplanFile { get; set; } = "extensions_custom.conf";

    /// <summary>The queues file in the config dir that a queue reload reads.</summary>
    public string QueuesFile { get; set; } = "queues_custom.conf";

    /// <summary>Real Asterisk answers a wrong secret about 1 s late; tests want it short.</summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary><see cref="FakeCommandStyle.OutputLines"/> (Asterisk 21+, the recordings) or
    /// <see cref="FakeCommandStyle.Follows"/> (Asterisk 18-20: raw text ended by <c>--END COMMAND--</c>).</summary>
    public FakeCommandStyle CommandStyle { get; set; } = FakeCommandStyle.OutputLines;

    /// <summary>What listing, reloading and live changes cost (<see cref="FakeSwitchCost.RealAsterisk"/> in the bench);
    /// free by default.</summary>
    public FakeSwitchCost Cost { get; set; } = FakeSwitchCost.Free;
}

public enum FakeCommandStyle
{
    OutputLines,
    Follows,
}
