using FluentMigrator.Runner.Generators.Postgres;
using FluentMigrator.Runner.Initialization;
using FluentMigrator.Runner.Processors;
using FluentMigrator.Runner.Processors.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Infrastructure.Data;

/// <summary>FluentMigrator's PostgreSQL processor (the one <c>AddPostgres()</c> resolves) on a connection of the
/// migrations' named data source. The base builds its connection from the connection string only when first used, and
/// such a connection registers a data source that Npgsql's metrics label with that string (host, user, database) for
/// the rest of the process; replacing it before any use means that connection is never built.</summary>
public sealed class NamedMigrationProcessor : Postgres15_0Processor
{
    public NamedMigrationProcessor(MigrationDataSource source, PostgresDbFactory factory, Postgres15_0Generator generator,
        ILogger<Postgres15_0Processor> logger, IOptionsSnapshot<ProcessorOptions> options,
        IConnectionStringAccessor connectionStringAccessor, PostgresOptions pgOptions)
        : base(factory, generator, logger, options, connectionStringAccessor, pgOptions)
    {
        Connection = source.Value.CreateConnection();
    }
}

/// <summary>The data source every migration session comes from, in a type of its own so the migration runner's
/// container cannot confuse it with the service's pool.</summary>
public sealed record MigrationDataSource(NpgsqlDataSource Value);
