namespace Did.Tests.Fakes;

/// <summary>Holds the fake switch at one point of an action until the test opens it: <see cref="Reached"/> completes when
/// the switch gets there, so a test orders its steps by signals instead of sleeping. Once open it stays open.</summary>
public sealed class FakeGate
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the switch first arrives at the gate; fails, rather than waiting for ever, if it has not
    /// after a minute (an action the test expected never came, e.g. a change went live without the reload it holds).</summary>
    public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromMinutes(1));

    public void Open() => _opened.TrySetResult();

    internal async Task PassAsync()
    {
        _reached.TrySetResult();
        await _opened.Task;
    }
}
