using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Did.Infrastructure.Ami;

/// <summary>Opens authenticated AMI sessions through one resilience pipeline: bounded retries with exponential backoff
/// and jitter for connection failures, and a circuit breaker so a dead switch is not hammered. A wrong secret fails at
/// once (no retry, not counted by the breaker). Register as a singleton: the breaker's memory is the instance's.</summary>
public sealed class AmiSessionFactory
{
    private readonly AmiOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly ResiliencePipeline _pipeline;
    private readonly string _node;

    /// <param name="node">The switch's name in metrics (<see cref="AmiMetrics"/>); host:port when not given.</param>
    public AmiSessionFactory(IOptions<AmiOptions> options, ILoggerFactory? loggers = null, string? node = null)
    {
        _options = options.Value;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _log = _loggers.CreateLogger<AmiSessionFactory>();
        _node = node ?? $"{_options.Host}:{_options.Port}";
        _pipeline = BuildPipeline(_options, _log, _node);
    }

    /// <summary>Connects and logs in, retrying connection failures.</summary>
    /// <exception cref="AmiAuthenticationException">Wrong credentials (not retried).</exception>
    /// <exception cref="AmiCircuitOpenException">Recent attempts all failed; none is made now.</exception>
    /// <exception cref="AmiConnectionException">Every attempt failed.</exception>
    public async Task<AmiClient> OpenAsync(CancellationToken ct = default)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                var client = new AmiClient(_options, _loggers.CreateLogger<AmiClient>());
                try
                {
                    await client.ConnectAsync(token);
                    AmiMetrics.Connected(_node);
                    return client;
                }
                catch (Exception e)
                {
                    if (e is not OperationCanceledException) AmiMetrics.NotConnected(_node, refused: e is AmiAuthenticationException);
                    await client.DisposeAsync();
                    throw;
                }
            }, ct);
        }
        catch (BrokenCircuitException e)
        {
            throw new AmiCircuitOpenException(
                $"AMI at {_options.Host}:{_options.Port} is unavailable: recent connection attempts failed; retry after {e.RetryAfter?.TotalSeconds ?? _options.BreakerBreakDuration.TotalSeconds:0.#} s.", e);
        }
    }

    /// <summary>What counts as a connection failure: retried and counted by the breaker.</summary>
    internal static bool IsConnectionFailure(Exception e) => e is AmiConnectionException and not AmiCircuitOpenException
        or AmiTimeoutException or SocketException or IOException;

    private static ResiliencePipeline BuildPipeline(AmiOptions options, ILogger log, string node)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.ConnectRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsConnectionFailure),
                MaxRetryAttempts = options.ConnectRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    AmiMetrics.Retrying(node);
                    log.LogWarning("AMI connection to {Host}:{Port} failed (attempt {Attempt}): {Error}; retrying in {Delay}",
                        options.Host, options.Port, args.AttemptNumber + 1, args.Outcome.Exception?.Message, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsConnectionFailure),
            FailureRatio = 1.0,
            MinimumThroughput = Math.Max(2, options.BreakerMinimumThroughput),
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
            OnOpened = args =>
            {
                AmiMetrics.Circuit(node, open: true);
                log.LogError("AMI circuit opened for {Host}:{Port}: no connection attempts for {BreakDuration}",
                    options.Host, options.Port, args.BreakDuration);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                AmiMetrics.Circuit(node, open: false);
                log.LogInformation("AMI circuit closed for {Host}:{Port}", options.Host, options.Port);
                return ValueTask.CompletedTask;
            },
        });
        return builder.Build();
    }
}
