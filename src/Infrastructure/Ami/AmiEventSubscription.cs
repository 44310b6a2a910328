using System.Threading.Channels;

namespace Did.Infrastructure.Ami;

/// <summary>Events matching a filter, queued from the moment of subscribing (so none is lost between sending an
/// action and starting to wait). Reading fails with <see cref="AmiConnectionException"/> once the connection is gone.
/// Dispose to stop receiving.</summary>
public sealed class AmiEventSubscription : IDisposable
{
    private readonly Channel<AmiMessage> _events = Channel.CreateUnbounded<AmiMessage>(new() { SingleReader = true });
    private readonly Func<AmiMessage, bool> _filter;
    private readonly Action<AmiEventSubscription> _unsubscribe;

    internal AmiEventSubscription(Func<AmiMessage, bool> filter, Action<AmiEventSubscription> unsubscribe)
    {
        _filter = filter;
        _unsubscribe = unsubscribe;
    }

    /// <summary>Waits for the next matching event.</summary>
    public async ValueTask<AmiMessage> ReadAsync(CancellationToken ct = default)
    {
        try
        {
            return await _events.Reader.ReadAsync(ct);
        }
        catch (ChannelClosedException e)
        {
            throw e.InnerException as AmiException ?? new AmiConnectionException("The AMI connection is closed.", e);
        }
    }

    internal void Offer(AmiMessage e)
    {
        if (_filter(e)) _events.Writer.TryWrite(e);
    }

    internal void Close(Exception reason) => _events.Writer.TryComplete(reason);

    public void Dispose()
    {
        _unsubscribe(this);
        _events.Writer.TryComplete();
    }
}
