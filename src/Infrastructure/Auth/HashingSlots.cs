using System.Globalization;
using System.Threading.RateLimiting;
using Did.Infrastructure.Errors;
using Microsoft.Extensions.Options;

namespace Did.Infrastructure.Auth;

/// <summary>Bounds how many bcrypt computations run at once (<see cref="AuthOptions.HashingConcurrency"/>). A request
/// that finds every slot taken waits in a short queue for at most <see cref="AuthOptions.HashingWaitMilliseconds"/>;
/// with the queue full, or once the wait is over, it is refused with a 503 and <c>Retry-After</c>. A flood of sign-ins
/// therefore costs at most the slots' cores, and the requests that need no hashing keep the rest.</summary>
public sealed class HashingSlots : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _wait;

    public HashingSlots(IOptions<AuthOptions> options)
    {
        var o = options.Value;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = o.HashingConcurrency,
            QueueLimit = o.HashingQueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _wait = TimeSpan.FromMilliseconds(o.HashingWaitMilliseconds);
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
        new(StatusCodes.Status503ServiceUnavailable, "Busy checking passwords",
            $"The service is checking as many passwords as it can at once; try again in {RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)} seconds.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = RetryAfterSeconds });

    public void Dispose() => _limiter.Dispose();
}
