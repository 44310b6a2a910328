using Did.Infrastructure.Auth;

namespace Did.Features.Apply;

/// <summary>Who asked for an apply and what for, captured when the request arrived: another caller's run writes this
/// caller's audit rows, on another request's flow, where <see cref="RequestContext"/> would name someone else.</summary>
public sealed record ApplyCaller(Guid? ActorId, Role? Role, Guid? TenantId, string? SourceIp, string? UserAgent, string? RequestId, ApplyScope Scope)
{
    public static ApplyCaller From(RequestContext ctx, ApplyScope scope) =>
        new(ctx.ActorId, ctx.Role, ctx.TenantId, ctx.SourceIp, ctx.UserAgent, ctx.RequestId, scope);
}

/// <summary>Merges the applies of one process: a request that arrives while an apply runs waits for the next run, and
/// that run serves every request waiting when it starts, with the union of their scopes, so it deploys everything
/// those callers had committed. Each caller gets the job of the run that carried its request. The run is made by one
/// of its own callers (on that caller's request), never by a background task; the others wait for its result.
/// A waiting request keeps waiting when its client hangs up: its change is deployed by the run it joined.
/// Replicas do not merge with one another: their runs take turns on the <see cref="ApplyLock"/>.</summary>
public sealed class ApplyQueue
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _run = new(1, 1);
    private List<Ticket> _waiting = [];

    /// <summary>Requests waiting for a run that has not started yet.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate) return _waiting.Count;
        }
    }

    /// <summary>Joins the next run and answers what it gave this caller. <paramref name="run"/> is called with the callers
    /// of one run, by one of them, and answers one finished task per caller, in the same order: its result, or what
    /// to throw. What <paramref name="run"/> itself throws is every caller's answer.</summary>
    public async Task<T> JoinAsync<T>(ApplyCaller caller, Func<IReadOnlyList<ApplyCaller>, Task<IReadOnlyList<Task<T>>>> run)
    {
        var ticket = new Ticket(caller);
        lock (_gate) _waiting.Add(ticket);
        while (!ticket.Result.Task.IsCompleted)
        {
            using var served = new CancellationTokenSource();
            var turn = _run.WaitAsync(served.Token);
            if (await Task.WhenAny(turn, ticket.Result.Task) != turn)
            {
                // Another caller's run carried this request.
                await served.CancelAsync();
                try
                {
                    await turn;
                    _run.Release(); // the turn came anyway, just before the cancel
                }
                catch (OperationCanceledException)
                {
                }
                break;
            }
            try
            {
                if (ticket.Result.Task.IsCompleted) break;
                List<Ticket> batch;
                lock (_gate) (batch, _waiting) = (_waiting, []);
                try
                {
                    var outcomes = await run([.. batch.Select(t => t.Caller)]);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        if (outcomes[i].IsCompletedSuccessfully) batch[i].Result.TrySetResult(outcomes[i].Result!);
                        else batch[i].Result.TrySetException(outcomes[i].Exception?.InnerExceptions ?? [new InvalidOperationException("An apply run gave no answer.")]);
                    }
                }
                catch (Exception e)
                {
                    foreach (var t in batch) t.Result.TrySetException(e);
                }
            }
            finally
            {
                _run.Release();
            }
        }
        return (T)(await ticket.Result.Task)!;
    }

    private sealed class Ticket(ApplyCaller caller)
    {
        public ApplyCaller Caller { get; } = caller;
        public TaskCompletionSource<object> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
