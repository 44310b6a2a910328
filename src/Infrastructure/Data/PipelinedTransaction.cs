using System.Data;
using Npgsql;

namespace Did.Infrastructure.Data;

/// <summary>One transaction on one connection, sent as batches: <see cref="BeginAsync"/> puts BEGIN in front of the first
/// batch's statements and <see cref="CommitAsync"/> puts COMMIT behind the last batch's, so beginning and committing take
/// no round trip of their own (<see cref="NpgsqlConnection.BeginTransactionAsync(CancellationToken)"/> sends BEGIN in a
/// message that PostgreSQL answers before it runs the next statement). A transaction disposed before its commit (a
/// refusal, a failed statement, a cancelled request) sends ROLLBACK itself, so the connection goes back to the pool with no
/// transaction and no lock, whatever the pool does on return.</summary>
public sealed class PipelinedTransaction(NpgsqlConnection connection) : IAsyncDisposable
{
    private NpgsqlBatch? _batch;
    private bool _begun;
    private bool _ended;

    /// <summary>The first round trip: BEGIN, then <paramref name="statements"/>. Read each statement's result with
    /// <see cref="BatchResults.ReadSingleOrDefaultAsync{T}"/> and dispose the reader before the next round trip.</summary>
    public Task<NpgsqlDataReader> BeginAsync(IReadOnlyList<NpgsqlBatchCommand> statements, CancellationToken ct)
    {
        if (_begun) throw new InvalidOperationException("This transaction has already begun.");
        _begun = true;
        return SendAsync([new NpgsqlBatchCommand("BEGIN"), .. statements], ct);
    }

    /// <summary>A round trip inside the transaction, after <see cref="BeginAsync"/>.</summary>
    public Task<NpgsqlDataReader> ReadAsync(IReadOnlyList<NpgsqlBatchCommand> statements, CancellationToken ct)
    {
        EnsureOpen();
        return SendAsync(statements, ct);
    }

    /// <summary>The last round trip: <paramref name="statements"/>, then COMMIT. PostgreSQL runs COMMIT only if every
    /// statement before it succeeded: after an error it skips the rest of the batch, and the transaction stays open, failed,
    /// until <see cref="DisposeAsync"/> rolls it back.</summary>
    public async Task CommitAsync(IReadOnlyList<NpgsqlBatchCommand> statements, CancellationToken ct)
    {
        EnsureOpen();
        await (await CreateBatchAsync([.. statements, new NpgsqlBatchCommand("COMMIT")])).ExecuteNonQueryAsync(ct);
        _ended = true;
    }

    /// <summary>Rolls back a transaction that began and was not committed. A broken connection is not asked: PostgreSQL
    /// rolls back the transaction of a session that ends.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_batch is not null) await _batch.DisposeAsync();
        _batch = null;
        if (!_begun || _ended) return;
        _ended = true;
        if (connection.FullState != ConnectionState.Open) return;
        try
        {
            // Not the request's token: a cancelled request must still end its transaction before the connection is reused.
            await (await CreateBatchAsync([new NpgsqlBatchCommand("ROLLBACK")])).ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException) when (connection.FullState != ConnectionState.Open)
        {
            // The connection broke while rolling back; the session's end rolls the transaction back.
        }
    }

    private async Task<NpgsqlDataReader> SendAsync(IReadOnlyList<NpgsqlBatchCommand> statements, CancellationToken ct) =>
        await (await CreateBatchAsync(statements)).ExecuteReaderAsync(ct);

    private async ValueTask<NpgsqlBatch> CreateBatchAsync(IReadOnlyList<NpgsqlBatchCommand> statements)
    {
        if (_batch is not null) await _batch.DisposeAsync();
        _batch = new NpgsqlBatch(connection);
        foreach (var statement in statements) _batch.BatchCommands.Add(statement);
        return _batch;
    }

    private void EnsureOpen()
    {
        if (!_begun || _ended) throw new InvalidOperationException("This transaction is not open.");
    }
}
