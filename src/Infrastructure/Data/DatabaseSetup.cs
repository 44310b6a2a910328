using System.Data.Common;
using Dapper;
using Did.Infrastructure.Hosting;
using Npgsql;

namespace Did.Infrastructure.Data;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Postgres";

    /// <summary>The configured connection string, or an <see cref="InvalidSettingException"/> that says what to set. Npgsql's
    /// parse error is not repeated: it names the key it choked on, and a password holding a ';' makes part of the password
    /// a key.</summary>
    public static string ConnectionString(IConfiguration config)
    {
        if (config.GetConnectionString(ConnectionStringName) is not { Length: > 0 } cs || string.IsNullOrWhiteSpace(cs))
            throw new InvalidSettingException(
                "ConnectionStrings__Postgres is not set. Set it to the database's connection string " +
                "(Host=...;Port=5432;Username=...;Password=...;Database=did), or start with ./scripts/run.sh, which provisions PostgreSQL.");
        NpgsqlConnectionStringBuilder csb;
        try
        {
            csb = new NpgsqlConnectionStringBuilder(cs);
        }
        catch (ArgumentException)
        {
            throw new InvalidSettingException(
                "ConnectionStrings__Postgres is not a valid connection string. Write it as Key=Value pairs separated by ';' " +
                "(Host, Port, Username, Password, Database), with known keys, a number for Port, and a value that holds a ';' " +
                "in double quotes.");
        }
        if (string.IsNullOrEmpty(csb.Host) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PGHOST")))
            throw new InvalidSettingException("ConnectionStrings__Postgres names no Host. Add Host=<the database server> to it.");
        return cs;
    }

    /// <summary>One pooled data source for the whole process; every slice opens connections from it.</summary>
    public static IServiceCollection AddDidDatabase(this IServiceCollection services, IConfiguration config)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var connectionString = ConnectionString(config);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "did";
        builder.Name = "did"; // the pool's name in its metrics, instead of its connection string
        ApplyPoolDefaults(builder.ConnectionStringBuilder, connectionString, config);
        services.AddSingleton(builder.Build());
        services.AddSingleton(_ => new DedicatedConnections(connectionString)); // built by the container, so disposed by it
        return services;
    }

    /// <summary>Pool defaults, only where the connection string is silent (an explicit setting always wins).
    /// The pool bounds how many PostgreSQL transactions run at once. On a small server a few at a time finish more work
    /// than many contending for its cores, so the pool holds <c>Database:MaxPoolSize</c> connections, default 4 per
    /// core (at least 8), and other requests queue in the pool, cheaply, in arrival order. A transaction holds its
    /// connection while the service works between its round trips, so the pool needs more connections than PostgreSQL
    /// has cores to keep them busy (docs/performance.md has the pool sizes compared). Sessions that wait long hold no
    /// pooled connection: the apply lock and the security-stamp LISTEN use <see cref="DedicatedConnections"/>. A request
    /// holds at most one pooled connection at a time. Waiting for a connection counts against <c>Timeout</c>, so its
    /// default rises from 15 s to 30 s. A connection goes back to the pool without
    /// Npgsql's session reset (see the end).</summary>
    internal static void ApplyPoolDefaults(NpgsqlConnectionStringBuilder csb, string connectionString, IConfiguration config)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        if (!given.Contains("maxpoolsize") && !given.Contains("maximumpoolsize"))
            csb.MaxPoolSize = Math.Max(csb.MinPoolSize,
                config.GetValue<int?>("Database:MaxPoolSize") ?? Math.Max(8, 4 * Environment.ProcessorCount));
        if (!given.Contains("timeout"))
            csb.Timeout = config.GetValue<int?>("Database:TimeoutSeconds") ?? 30;
        // Every handler sends the same few statements again and again: let Npgsql prepare them once per connection
        // instead of having PostgreSQL parse and plan them on every request.
        if (!given.Contains("maxautoprepare"))
            csb.MaxAutoPrepare = config.GetValue<int?>("Database:MaxAutoPrepare") ?? 128;
        // Npgsql's reset on close puts seven statements (SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL;
        // UNLISTEN *; pg_advisory_unlock_all(); DISCARD SEQUENCES; DISCARD TEMP) in front of the next command of every
        // connection taken from the pool: on every request. Nothing here leaves session state on a pooled connection:
        // settings are SET LOCAL, temporary tables ON COMMIT DROP, advisory locks transaction-scoped, and LISTEN and
        // session locks live on DedicatedConnections (PooledSessionStateTests).
        if (!given.Contains("noresetonclose"))
            csb.NoResetOnClose = true;
    }
}
