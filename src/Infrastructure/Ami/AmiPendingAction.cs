namespace Did.Infrastructure.Ami;

/// <summary>An action waiting for its answer. Fed by the read loop only; completed once. A list action is given
/// <see cref="AmiListLimits"/> (null: not a list); an answer that goes past them fails the action and marks it
/// <see cref="Overflowed"/>, so the connection can be closed.</summary>
internal sealed class AmiPendingAction(string name, string actionId, AmiListLimits? listLimits)
{
    private readonly TaskCompletionSource<AmiListResponse> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<AmiMessage> _events = [];
    private AmiMessage? _response;
    private long _bytes;

    public string Name { get; } = name;
    public string ActionId { get; } = actionId;
    public Task<AmiListResponse> Task => _done.Task;

    /// <summary>Takes a response or an event with this ActionID; returns true when the answer is complete.</summary>
    public bool Accept(AmiMessage message)
    {
        if (message.IsEvent)
        {
            _events.Add(message);
            _bytes += Size(message);
            if (listLimits is { } limits && (_events.Count > limits.MaxItems || _bytes > limits.MaxBytes))
            {
                Overflowed = true;
                _done.TrySetException(new AmiProtocolException(
                    $"The answer to {Name} went past {limits.MaxItems} items or {limits.MaxBytes} bytes; the connection was closed."));
                return true;
            }
            if (!IsListComplete(message)) return false;
            _done.TrySetResult(new(_response ?? message, _events, message));
            return true;
        }
        _response = message;
        if (listLimits is not null && string.Equals(message["EventList"], "start", StringComparison.OrdinalIgnoreCase)) return false;
        _done.TrySetResult(new(message, _events, null));
        return true;
    }

    /// <summary>True when an event with this ActionID belongs to the answer (list actions only).</summary>
    public bool WantsEvents => listLimits is not null;

    /// <summary>The answer went past its list limits: the rest of it is still coming, so the connection must go.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The packet's size on the wire, near enough: "Key: Value" CRLF per field, and the closing CRLF.</summary>
    private static long Size(AmiMessage message)
    {
        long size = 2;
        foreach (var (key, value) in message.Fields) size += key.Length + value.Length + 4;
        return size;
    }

    public void Fail(Exception e) => _done.TrySetException(e);

    private static bool IsListComplete(AmiMessage e) =>
        string.Equals(e["EventList"], "Complete", StringComparison.OrdinalIgnoreCase);
}
