namespace Did.Tests.Fakes;

/// <summary>Holds the fake switch at one point of an action until the test opens it: <see cref="Reached"/> completes when
/// the switch gets there, so a test orders its steps by signals instead of sleeping. Once open it stays open.</summary>
public sealed class FakeGate
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the switch first arrives at the gate.</summary>
    public Task Reached => _reached.Task;

    public void Open() => _opened.TrySetResult();

    internal async Task PassAsync()
    {
        _reached.TrySetResult();
        await _opened.Task;
    }
}
