using System.Data.Common;
using Dapper;
using Npgsql;

namespace Did.Infrastructure.Data;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Postgres";

    public static string ConnectionString(IConfiguration config) =>
        config.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "ConnectionStrings:Postgres is not set (env ConnectionStrings__Postgres). ./scripts/run.sh provisions one.");

    /// <summary>One pooled data source for the whole process; every slice opens connections from it.</summary>
    public static IServiceCollection AddDidDatabase(this IServiceCollection services, IConfiguration config)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var connectionString = ConnectionString(config);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "did";
        ApplyPoolDefaults(builder.ConnectionStringBuilder, connectionString, config);
        services.AddSingleton(builder.Build());
        services.AddSingleton(new DedicatedConnections(connectionString));
        return services;
    }

    /// <summary>Pool defaults, only where the connection string is silent (an explicit setting always wins).
    /// Npgsql's default of 100 connections lets 100 HTTP clients run 100 PostgreSQL transactions at once; on a small
    /// server that is slower than a few at a time (bench/RESULTS-assign.md: on 2 cores, 100 clients got ~1.9x the
    /// requests/s and under half the p95 with a pool of 16 than with 100 connections). So the pool holds
    /// <c>Database:MaxPoolSize</c> connections (default 4 per core, at least 16, so a request waiting on a long job's
    /// advisory lock cannot starve the pool), and the other requests queue in the pool, cheaply, in arrival order.
    /// A request holds at most one pooled connection at a time (the token check returns its own before the handler
    /// opens one). Waiting for a connection counts against <c>Timeout</c>, so its default rises from 15 s to 30 s.</summary>
    internal static void ApplyPoolDefaults(NpgsqlConnectionStringBuilder csb, string connectionString, IConfiguration config)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        if (!given.Contains("maxpoolsize") && !given.Contains("maximumpoolsize"))
            csb.MaxPoolSize = Math.Max(csb.MinPoolSize,
                config.GetValue<int?>("Database:MaxPoolSize") ?? Math.Max(16, 4 * Environment.ProcessorCount));
        if (!given.Contains("timeout"))
            csb.Timeout = config.GetValue<int?>("Database:TimeoutSeconds") ?? 30;
        // Every handler sends the same few statements again and again: let Npgsql prepare them once per connection
        // instead of having PostgreSQL parse and plan them on every request.
        if (!given.Contains("maxautoprepare"))
            csb.MaxAutoPrepare = config.GetValue<int?>("Database:MaxAutoPrepare") ?? 128;
    }
}
