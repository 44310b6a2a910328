namespace Did.Infrastructure.Hosting;

/// <summary>Start-up failures an operator can fix (<see cref="StartupFailure"/>: a missing setting, an unreachable
/// database, a port in use) end the process with one line on stderr and a non-zero exit code instead of an unhandled
/// exception's stack trace. Anything else is a bug and keeps the runtime's report, stack trace included.</summary>
public static class StartupFailureReporting
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private static IConfiguration? _config;
    private static int _registered;

    public static WebApplicationBuilder ReportStartupFailuresAsOneLine(this WebApplicationBuilder builder)
    {
        _config = builder.Configuration;
        // Program's top-level statements cannot sit in a try without indenting the whole file, so the report hangs on the
        // process's unhandled-exception event, which sees whatever escapes Main before the runtime prints it. Once per
        // process: the tests build many hosts in one.
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            {
                if (e.ExceptionObject is not Exception exception || _config is null
                    || StartupFailure.From(exception, _config) is not { } failure) return;
                Console.Error.WriteLine(failure.Line);
                Environment.Exit(failure.ExitCode);
            };

        // Until the host has started, the host's own error ("Hosting failed to start", with a stack trace) is the start-up
        // failure that the handler above prints as one line. After that the host's errors are logged as usual.
        var phase = new StartupPhase();
        builder.Services.AddSingleton<IHostedService>(phase);
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && (level < LogLevel.Error || phase.Started));
        return builder;
    }

    /// <summary>Set once every hosted service, Kestrel included, has started.</summary>
    private sealed class StartupPhase : IHostedLifecycleService
    {
        private volatile bool _started;

        public bool Started => _started;

        public Task StartedAsync(CancellationToken cancellationToken)
        {
            _started = true;
            return Task.CompletedTask;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
