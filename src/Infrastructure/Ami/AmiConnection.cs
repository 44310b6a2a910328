using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Did.Infrastructure.Ami;

/// <summary>One TCP connection to AMI: writes actions, and one background loop that reads every packet and routes it:
/// a response (and, for list actions, the events with its ActionID) to the action that waits for it, other events to
/// subscribers. When the connection ends, every waiting action fails at once with <see cref="AmiConnectionException"/>.</summary>
internal sealed class AmiConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly AmiFrameReader _reader;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, AmiPendingAction> _pending = new(StringComparer.Ordinal);
    private readonly Lock _subscriptionsLock = new();
    private readonly List<AmiEventSubscription> _subscriptions = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly string _idPrefix = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()));
    private long _nextId;
    private Task _readLoop = Task.CompletedTask;
    private Exception? _closedField;
    private volatile bool _expectClose;
    private int _disposed;

    private AmiConnection(TcpClient tcp, AmiFramingLimits limits, ILogger log)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new AmiFrameReader(_stream, limits);
        _log = log;
    }

    private Exception? ClosedReason => Volatile.Read(ref _closedField);

    public string Banner { get; private set; } = "";

    /// <summary>Connects and reads the banner, both within <paramref name="timeout"/>.</summary>
    public static async Task<AmiConnection> OpenAsync(string host, int port, TimeSpan timeout, AmiFramingLimits limits,
        ILogger log, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        AmiConnection? connection = null;
        try
        {
            await tcp.ConnectAsync(host, port, cts.Token);
            connection = new AmiConnection(tcp, limits, log);
            connection.Banner = await connection._reader.ReadBannerAsync(cts.Token);
            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            return connection;
        }
        catch (Exception e)
        {
            tcp.Dispose();
            if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
            throw e switch
            {
                OperationCanceledException => new AmiConnectionException($"No AMI banner from {host}:{port} within {timeout.TotalSeconds:0.###} s."),
                SocketException s => new AmiConnectionException($"Cannot connect to AMI at {host}:{port}: {s.SocketErrorCode}.", s),
                IOException io => new AmiConnectionException($"AMI connection to {host}:{port} failed: {io.Message}", io),
                _ => e,
            };
        }
    }

    /// <summary>Sends an action and waits for its response, or, for a list action (<paramref name="listLimits"/> given),
    /// for the whole list, all of it within <paramref name="timeout"/>.</summary>
    public async Task<AmiListResponse> SendAsync(AmiAction action, AmiListLimits? listLimits, TimeSpan timeout, CancellationToken ct)
    {
        ThrowIfClosed(action.Name);
        var id = $"{_idPrefix}-{Interlocked.Increment(ref _nextId)}";
        var pending = new AmiPendingAction(action.Name, id, listLimits);
        _pending[id] = pending;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            ThrowIfClosed(action.Name);
            var bytes = action.Serialize(id);
            await WriteAsync(bytes, action.Name, $"AMI action {action.Name}", cts.Token);
            _log.LogDebug("AMI action {Action} sent with ActionID {ActionId}", action.Name, id);
            return await pending.Task.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _log.LogWarning("AMI action {Action} (ActionID {ActionId}) got no complete answer within {Timeout}", action.Name, id, timeout);
            throw new AmiTimeoutException($"No complete answer to AMI action {action.Name} within {timeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Writes <paramref name="bytes"/> under the write lock, so actions never interleave. A write that does not
    /// finish in time or fails closes the connection: what reached Asterisk of it is unknown.</summary>
    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, string action, string what, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(bytes, CancellationToken.None).AsTask().WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            Close(new AmiConnectionException($"Writing {what} did not finish in time."));
            throw;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(e);
            throw new AmiConnectionException($"Cannot send AMI action {action}: the connection is closed.", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends <paramref name="actions"/> pipelined: all of them in one write, in order (Asterisk carries out one
    /// session's actions in the order they arrive), then waits for every response, all within <paramref name="timeout"/>.
    /// Responses come back in the order of <paramref name="actions"/>. Not for list actions.</summary>
    public async Task<IReadOnlyList<AmiMessage>> SendPipelinedAsync(IReadOnlyList<AmiAction> actions, TimeSpan timeout, CancellationToken ct)
    {
        if (actions.Count == 0) return [];
        var name = actions[0].Name;
        ThrowIfClosed(name);
        var pending = new AmiPendingAction[actions.Count];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var buffer = new MemoryStream(actions.Count * 160);
        for (var i = 0; i < actions.Count; i++)
        {
            var id = $"{_idPrefix}-{Interlocked.Increment(ref _nextId)}";
            pending[i] = new AmiPendingAction(actions[i].Name, id, null);
            _pending[id] = pending[i];
            buffer.Write(actions[i].Serialize(id));
        }
        try
        {
            ThrowIfClosed(name);
            await WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), name, $"{actions.Count} AMI actions", cts.Token);
            _log.LogDebug("{Count} AMI actions sent pipelined, starting with {Action}", actions.Count, name);
            var responses = new AmiMessage[actions.Count];
            for (var i = 0; i < pending.Length; i++) responses[i] = (await pending[i].Task.WaitAsync(cts.Token)).Response;
            return responses;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _log.LogWarning("{Count} pipelined AMI actions got no complete answer within {Timeout}", actions.Count, timeout);
            throw new AmiTimeoutException($"No complete answer to {actions.Count} pipelined AMI actions ({name}...) within {timeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            foreach (var p in pending) _pending.TryRemove(p.ActionId, out _);
        }
    }

    public AmiEventSubscription Subscribe(Func<AmiMessage, bool> filter)
    {
        var subscription = new AmiEventSubscription(filter, Unsubscribe);
        lock (_subscriptionsLock) _subscriptions.Add(subscription);
        if (ClosedReason is { } reason) subscription.Close(reason);
        return subscription;
    }

    /// <summary>The next close by the server is expected (Logoff) and not reported as an error.</summary>
    public void ExpectClose() => _expectClose = true;

    private void Unsubscribe(AmiEventSubscription subscription)
    {
        lock (_subscriptionsLock) _subscriptions.Remove(subscription);
    }

    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                var message = await _reader.ReadMessageAsync(_stop.Token);
                if (message is null)
                {
                    reason = new AmiConnectionException(_expectClose
                        ? "The AMI connection was closed after Logoff."
                        : "The AMI server closed the connection.");
                    if (!_expectClose) _log.LogWarning("The AMI server closed the connection");
                    break;
                }
                Route(message);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            reason = new AmiConnectionException("The AMI connection was closed by the client.");
        }
        catch (Exception e)
        {
            reason = e as AmiException ?? new AmiConnectionException($"The AMI connection failed: {e.Message}", e);
            if (!_expectClose) _log.LogWarning(e, "The AMI connection failed");
        }
        Close(reason);
    }

    private void Route(AmiMessage message)
    {
        var id = message.ActionId;
        AmiPendingAction? pending = null;
        if (id is not null) _pending.TryGetValue(id, out pending);
        if (message.IsEvent)
        {
            if (pending is { WantsEvents: true })
            {
                pending.Accept(message);
                if (pending.Overflowed) Close(new AmiProtocolException($"The answer to {pending.Name} (ActionID {pending.ActionId}) was too large."));
                return;
            }
            Dispatch(message);
            return;
        }
        if (pending is null)
        {
            _log.LogDebug("AMI response for ActionID {ActionId} that nobody waits for (late or foreign)", id);
            return;
        }
        pending.Accept(message);
    }

    private void Dispatch(AmiMessage e)
    {
        AmiEventSubscription[] subscribers;
        lock (_subscriptionsLock) subscribers = [.. _subscriptions];
        foreach (var s in subscribers) s.Offer(e);
    }

    private void Close(Exception reason)
    {
        Interlocked.CompareExchange(ref _closedField, reason, null);
        var closed = ClosedReason ?? reason;
        foreach (var pending in _pending.Values) pending.Fail(Lost(pending, closed));
        AmiEventSubscription[] subscribers;
        lock (_subscriptionsLock) subscribers = [.. _subscriptions];
        foreach (var s in subscribers) s.Close(closed);
        _tcp.Dispose();
    }

    private static AmiConnectionException Lost(AmiPendingAction pending, Exception reason) =>
        new($"AMI connection lost while waiting for the answer to {pending.Name} (ActionID {pending.ActionId}): {reason.Message}", reason);

    private void ThrowIfClosed(string action)
    {
        if (ClosedReason is { } reason)
            throw new AmiConnectionException($"Cannot send AMI action {action}: {reason.Message}", reason);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        Close(new AmiConnectionException("The AMI connection was closed by the client."));
        try
        {
            await _readLoop;
        }
        catch (Exception e)
        {
            _log.LogDebug(e, "AMI read loop ended with an error during dispose");
        }
        _stop.Dispose();
    }
}
