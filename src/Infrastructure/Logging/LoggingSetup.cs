using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;

namespace Did.Infrastructure.Logging;

/// <summary>Console logging for operators: one line per entry with a UTC timestamp, the service's own lines and one line
/// per request (<see cref="RequestLog"/>) at Information, ASP.NET Core's per-request chatter only from Warning up.
/// <c>Logging__Console__FormatterName=json</c> writes each entry as one JSON object instead. Every default here yields
/// to the same key set in the environment or on the command line.</summary>
public static class LoggingSetup
{
    private const string SimpleTimestamp = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
    private const string JsonTimestamp = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static WebApplicationBuilder AddDidLogging(this WebApplicationBuilder builder)
    {
        // Below every other source, so that any of these keys set elsewhere wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                // Named, not left empty: without a name the console logger replaces the formatter's options with its own
                // obsolete ones, and SingleLine is lost.
                ["Logging:Console:FormatterName"] = "simple",
                ["Logging:Console:FormatterOptions:SingleLine"] = "true",
            },
        });
        // The formatters read their options from one configuration section, but only the simple one wants a space after
        // the timestamp; a timestamp format given in configuration is kept as it is.
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o => UtcTimestamps(o, SimpleTimestamp));
        builder.Services.Configure<JsonConsoleFormatterOptions>(o => UtcTimestamps(o, JsonTimestamp));
        return builder;
    }

    private static void UtcTimestamps(ConsoleFormatterOptions options, string format)
    {
        if (options.TimestampFormat is not null) return;
        options.TimestampFormat = format;
        options.UseUtcTimestamp = true;
    }
}
