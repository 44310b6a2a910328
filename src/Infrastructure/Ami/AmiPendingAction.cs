namespace Did.Infrastructure.Ami;

/// <summary>An action waiting for its answer. Fed by the read loop only; completed once.</summary>
internal sealed class AmiPendingAction(string name, string actionId, bool isList)
{
    private readonly TaskCompletionSource<AmiListResponse> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<AmiMessage> _events = [];
    private AmiMessage? _response;

    public string Name { get; } = name;
    public string ActionId { get; } = actionId;
    public Task<AmiListResponse> Task => _done.Task;

    /// <summary>Takes a response or an event with this ActionID; returns true when the answer is complete.</summary>
    public bool Accept(AmiMessage message)
    {
        if (message.IsEvent)
        {
            _events.Add(message);
            if (!IsListComplete(message)) return false;
            _done.TrySetResult(new(_response ?? message, _events, message));
            return true;
        }
        _response = message;
        if (isList && string.Equals(message["EventList"], "start", StringComparison.OrdinalIgnoreCase)) return false;
        _done.TrySetResult(new(message, _events, null));
        return true;
    }

    /// <summary>True when an event with this ActionID belongs to the answer (list actions only).</summary>
    public bool WantsEvents => isList;

    public void Fail(Exception e) => _done.TrySetException(e);

    private static bool IsListComplete(AmiMessage e) =>
        string.Equals(e["EventList"], "Complete", StringComparison.OrdinalIgnoreCase);
}
