using System.Globalization;
using System.Threading.RateLimiting;
using Did.Infrastructure.Errors;

namespace Did.Infrastructure.Concurrency;

/// <summary>Bounds how many runs of one kind of costly work go at once. A request that finds every slot taken waits in a
/// short queue for at most the given wait; with the queue full, or once the wait is over, it is refused with a 503 and
/// <c>Retry-After</c>. A flood of such requests therefore costs at most the slots' cores, and the requests that do not
/// need the work keep the rest.</summary>
public abstract class WorkSlots : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _wait;
    private readonly string _busyTitle;
    private readonly string _busyDetail;

    /// <param name="busyDetail">What the service is doing as much of as it can, the first half of the 503's detail.</param>
    protected WorkSlots(int concurrency, int queueLimit, int waitMilliseconds, string busyTitle, string busyDetail)
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = concurrency,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _wait = TimeSpan.FromMilliseconds(waitMilliseconds);
        _busyTitle = busyTitle;
        _busyDetail = busyDetail;
    }

    /// <summary>Seconds a refused client is told to wait: the queue's own bound, at least one.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(_wait.TotalSeconds));

    /// <summary>A slot, held until the lease is disposed; throws a 503 problem when none frees up in time.</summary>
    public async ValueTask<RateLimitLease> EnterAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_wait);
        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(1, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Busy();
        }
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw Busy();
    }

    private ProblemException Busy() =>
        new(StatusCodes.Status503ServiceUnavailable, _busyTitle,
            $"{_busyDetail}; try again in {RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)} seconds.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = RetryAfterSeconds });

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }
}
