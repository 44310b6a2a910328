using System.Reflection;
using Dapper;
using FluentMigrator;
using FluentMigrator.Runner;
using FluentMigrator.Runner.Processors.Postgres;
using Npgsql;

namespace Did.Infrastructure.Data;

/// <summary>Runs the FluentMigrator migrations in db/migrations (compiled into this assembly).
/// An advisory lock makes concurrent starts of several replicas migrate once. Every session it opens, the lock's and
/// FluentMigrator's, comes from one unpooled data source named <see cref="SessionName"/>, so that its metrics are
/// labelled with that name and never with the connection string (host, user, database, password file).</summary>
public static class SchemaMigrator
{
    private const long LockKey = 0x4D49475241544521; // "MIGRATE!"

    public const string SessionName = "did-migrations";

    public static long Latest { get; } = typeof(SchemaMigrator).Assembly.GetTypes()
        .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Version ?? 0).Max();

    public static async Task MigrateAsync(string connectionString, ILogger log, CancellationToken ct = default)
    {
        await using var source = DedicatedConnections.Unpooled(connectionString, SessionName);
        await using var lockConn = await source.OpenConnectionAsync(ct);
        await lockConn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct));
        try
        {
            await using var sp = new ServiceCollection()
                .AddFluentMigratorCore()
                .ConfigureRunner(rb => rb.AddPostgres()
                    .WithGlobalConnectionString(connectionString)
                    .ScanIn(typeof(SchemaMigrator).Assembly).For.Migrations())
                .AddLogging(lb => lb.AddConsole().SetMinimumLevel(LogLevel.Warning))
                .AddSingleton(new MigrationDataSource(source))
                .AddScoped<Postgres15_0Processor, NamedMigrationProcessor>()
                .BuildServiceProvider();
            using var scope = sp.CreateScope();
            scope.ServiceProvider.GetRequiredService<IMigrationRunner>().MigrateUp();
            log.LogInformation("Database migrated to version {Version}", Latest);
        }
        finally
        {
            await lockConn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>Ready means the newest migration this build knows has been applied.</summary>
    public static async Task<bool> IsCurrentAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var applied = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT max(\"Version\") FROM \"VersionInfo\"", cancellationToken: ct));
        return applied >= Latest;
    }
}
