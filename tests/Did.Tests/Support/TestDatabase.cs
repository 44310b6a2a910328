using Did.Infrastructure.Data;
using DotNet.Testcontainers.Builders;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Did.Tests.Support;

/// <summary>Real PostgreSQL for the suite: ConnectionStrings__Postgres when given (scripts/test.sh provisions one),
/// otherwise a Testcontainers container when a Docker engine answers. One template database is migrated once;
/// each fixture gets its own copy, so fixtures never see each other's rows and can run in any order.</summary>
public static class TestDatabase
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _server;
    private static string? _template;
    private static PostgreSqlContainer? _container;

    public static async Task<string> CreateAsync()
    {
        await EnsureTemplateAsync();
        var name = $"did_t_{Guid.NewGuid():N}";
        await using (var conn = new NpgsqlConnection(_server))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{_template}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(_server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task EnsureTemplateAsync()
    {
        if (_template is not null) return;
        await Gate.WaitAsync();
        try
        {
            if (_template is not null) return;
            _server = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } cs
                ? new NpgsqlConnectionStringBuilder(cs) { Database = "postgres", Pooling = false }.ConnectionString
                : await StartContainerAsync();
            var template = $"did_template_{Environment.ProcessId}";
            await using (var conn = new NpgsqlConnection(_server))
            {
                await conn.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{template}\" WITH (FORCE)", conn);
                await drop.ExecuteNonQueryAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{template}\"", conn);
                await create.ExecuteNonQueryAsync();
            }
            var templateCs = new NpgsqlConnectionStringBuilder(_server) { Database = template, Pooling = false }.ConnectionString;
            await SchemaMigrator.MigrateAsync(templateCs, NullLogger.Instance);
            NpgsqlConnection.ClearAllPools();
            _template = template;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> StartContainerAsync()
    {
        try
        {
            _container = new PostgreSqlBuilder("postgres:16-alpine").Build();
            await _container.StartAsync();
            return new NpgsqlConnectionStringBuilder(_container.GetConnectionString()) { Database = "postgres", Pooling = false }.ConnectionString;
        }
        catch (Exception e) when (e is DockerUnavailableException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                "No PostgreSQL for the tests: set ConnectionStrings__Postgres or run ./scripts/test.sh, which provisions one.", e);
        }
    }

    public static async Task StopAsync()
    {
        if (_template is not null && _server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(_server);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_template}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        if (_container is not null) await _container.DisposeAsync();
    }
}
