using Dapper;
using Did.Infrastructure.Data;
using FluentMigrator.Runner;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Did.Tests.Support;

/// <summary>An empty database of its own brought up to one migration, for a test of what the next migration does to the
/// rows put in first. Dropped when disposed.</summary>
public sealed class DatabaseAtMigration : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _template;

    private DatabaseAtMigration(string template, string connectionString)
    {
        _template = template;
        ConnectionString = connectionString;
        _services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(rb => rb.AddPostgres().WithGlobalConnectionString(connectionString).ScanIn(typeof(SchemaMigrator).Assembly).For.Migrations())
            .BuildServiceProvider();
    }

    public string ConnectionString { get; }

    /// <summary>A new database at <paramref name="version"/> (the migration's version number), its migrations run one by one.</summary>
    public static async Task<DatabaseAtMigration> CreateAsync(long version)
    {
        var template = await TestDatabase.CreateAsync();
        var name = $"did_m_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(template) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await server.OpenAsync();
            await server.ExecuteAsync($"CREATE DATABASE \"{name}\"");
        }
        var database = new DatabaseAtMigration(template, new NpgsqlConnectionStringBuilder(template) { Database = name, Pooling = false }.ConnectionString);
        database.MigrateUp(version);
        return database;
    }

    /// <summary>Runs the migrations up to <paramref name="version"/>, or all of them.</summary>
    public void MigrateUp(long? version = null)
    {
        var runner = _services.CreateScope().ServiceProvider.GetRequiredService<IMigrationRunner>();
        if (version is { } v) runner.MigrateUp(v);
        else runner.MigrateUp();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await TestDatabase.DropAsync(ConnectionString);
        await TestDatabase.DropAsync(_template);
    }
}
