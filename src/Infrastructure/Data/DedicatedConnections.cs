using Npgsql;

namespace Did.Infrastructure.Data;

/// <summary>Connections kept outside the pool, for sessions that must not take a pooled slot or hand session state on
/// to the next request: the security-stamp LISTEN, which lasts as long as the service; and the apply's advisory lock,
/// held (or waited for) for the length of an apply. Built from the configured connection string, because a data
/// source's own <c>ConnectionString</c> leaves the password out.</summary>
public sealed class DedicatedConnections(string connectionString)
{
    public async Task<NpgsqlConnection> OpenAsync(string applicationName, CancellationToken ct)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = applicationName };
        var conn = new NpgsqlConnection(csb.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }
}
