using System.Collections.Concurrent;
using Npgsql;

namespace Did.Infrastructure.Data;

/// <summary>Connections kept outside the pool, for sessions that must not take a pooled slot or hand session state on
/// to the next request: the security-stamp LISTEN, which lasts as long as the service; and the apply's advisory lock,
/// held (or waited for) for the length of an apply. Built from the configured connection string, because a data
/// source's own <c>ConnectionString</c> leaves the password out. Each session's kind is an unpooled data source named
/// after it, so that its metrics are labelled with that name and never with the connection string (host, user,
/// database, password file).</summary>
public sealed class DedicatedConnections(string connectionString) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> _sources = new(StringComparer.Ordinal);

    public async Task<NpgsqlConnection> OpenAsync(string applicationName, CancellationToken ct) =>
        await _sources.GetOrAdd(applicationName, name => new Lazy<NpgsqlDataSource>(() => Unpooled(connectionString, name))).Value
            .OpenConnectionAsync(ct);

    /// <summary>A data source of unpooled sessions named <paramref name="applicationName"/> (in PostgreSQL and in metrics).</summary>
    public static NpgsqlDataSource Unpooled(string connectionString, string applicationName)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConnectionStringBuilder.ApplicationName = applicationName;
        builder.Name = applicationName;
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values.Where(s => s.IsValueCreated))
            await source.Value.DisposeAsync();
    }
}
