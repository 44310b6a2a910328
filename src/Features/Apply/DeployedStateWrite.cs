using Npgsql;

namespace Did.Features.Apply;

/// <summary>The deployed state of one apply, written in a transaction that the job's end commits together with the job's
/// success (<see cref="ApplyJobStore.FinishAsync"/>); disposed without that, it rolls back and nothing is recorded.
/// Begun while the switches reload and verify, it costs the apply no time of its own.</summary>
public sealed class DeployedStateWrite : IAsyncDisposable
{
    private DeployedStateWrite(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<Guid> changed)
    {
        Connection = connection;
        Transaction = transaction;
        Changed = changed;
    }

    public NpgsqlConnection Connection { get; }
    public NpgsqlTransaction Transaction { get; }

    /// <summary>The tenants whose deployed part this write changed or removed, in id order.</summary>
    public IReadOnlyList<Guid> Changed { get; }

    /// <summary>Opens the transaction and writes <paramref name="parts"/> as the state that <paramref name="jobId"/>,
    /// whose extensions file has <paramref name="contentSha256"/>, deployed (<see cref="DeployedState.RecordAsync"/>).</summary>
    public static async Task<DeployedStateWrite> BeginAsync(NpgsqlDataSource db, Guid jobId, string contentSha256, Task<PartsToRecord> parts,
        CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(ct);
            var changed = await DeployedState.RecordAsync(connection, transaction, jobId, contentSha256, await parts, ct);
            return new DeployedStateWrite(connection, transaction, changed);
        }
        catch
        {
            if (transaction is not null) await transaction.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
