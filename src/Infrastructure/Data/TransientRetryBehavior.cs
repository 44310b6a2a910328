using Mediator;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Did.Infrastructure.Data;

/// <summary>Retries a whole command when PostgreSQL says its transaction was rolled back for a reason that a retry cures
/// (serialization failure, deadlock, server starting, connection refused before anything ran). Each handler owns one
/// transaction, so re-running the handler is safe; failures with an unknown outcome (a lost commit) are not retried.</summary>
public sealed class TransientRetryBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsSafeToRetry),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(50),
        })
        .Build();

    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct) =>
        Pipeline.ExecuteAsync(static (state, token) => state.next(state.message, token), (next, message), ct);

    internal static bool IsSafeToRetry(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure
            or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } } => true,
        _ => false,
    };
}
