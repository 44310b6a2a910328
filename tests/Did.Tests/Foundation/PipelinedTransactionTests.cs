using Dapper;
using Did.Infrastructure.Data;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;
using static Did.Infrastructure.Data.BatchParameters;

namespace Did.Tests.Foundation;

/// <summary>The route changes' transaction (<see cref="PipelinedTransaction"/>) on a connection the test keeps open and
/// outside any pool, so whatever ends the transaction is the transaction itself, not a pool taking the connection back.</summary>
public sealed class PipelinedTransactionTests : ApiFixture
{
    private async Task<NpgsqlConnection> OpenUnpooledAsync()
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(App.ConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>Whether the session is inside a transaction: <c>now()</c> is the transaction's start, so two statements
    /// of one transaction read the same value and two statements in transactions of their own do not.</summary>
    private static async Task<bool> InTransactionAsync(NpgsqlConnection conn) =>
        await conn.ExecuteScalarAsync<DateTime>("SELECT now()") == await conn.ExecuteScalarAsync<DateTime>("SELECT now()");

    private static NpgsqlBatchCommand LockNumber(Guid id) =>
        new("SELECT id FROM phone_numbers WHERE id = @id FOR UPDATE") { Parameters = { Uuid("id", id) } };

    private static NpgsqlBatchCommand SetProvider(Guid id, string provider) =>
        new("UPDATE phone_numbers SET provider = @provider WHERE id = @id") { Parameters = { Uuid("id", id), Text("provider", provider) } };

    private async Task<string> ProviderAsync(Guid id)
    {
        await using var conn = await OpenUnpooledAsync();
        return await conn.ExecuteScalarAsync<string>("SELECT provider FROM phone_numbers WHERE id = @id", new { id }) ?? "";
    }

    /// <summary>True when another session can take the row's lock at once.</summary>
    private async Task<bool> IsUnlockedAsync(Guid id)
    {
        await using var other = await OpenUnpooledAsync();
        await using var tx = await other.BeginTransactionAsync();
        try
        {
            await other.ExecuteAsync("SELECT 1 FROM phone_numbers WHERE id = @id FOR UPDATE NOWAIT", new { id }, tx);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return false;
        }
    }

    [Test]
    public async Task The_first_batch_begins_the_transaction_and_returns_each_statements_rows()
    {
        var number = (await SeedNumbersAsync(null))[0];
        await using var conn = await OpenUnpooledAsync();
        await using var transaction = new PipelinedTransaction(conn);
        await using (var start = await transaction.BeginAsync([
                         LockNumber(number.Id),
                         new NpgsqlBatchCommand("SELECT number FROM phone_numbers WHERE id = @id") { Parameters = { Uuid("id", number.Id) } },
                         new NpgsqlBatchCommand("SELECT number FROM phone_numbers WHERE false"),
                     ], default))
        {
            Assert.That(await start.ReadSingleOrDefaultAsync<IdRow>(default), Is.EqualTo(new IdRow(number.Id)));
            Assert.That(await start.ReadSingleOrDefaultAsync<NumberRow>(default), Is.EqualTo(new NumberRow(number.Number)));
            Assert.That(await start.ReadSingleOrDefaultAsync<NumberRow>(default), Is.Null, "a statement without rows reads as null");
        }
        Assert.That(await InTransactionAsync(conn), Is.True, "BEGIN ran: the session is in a transaction");
        Assert.That(await IsUnlockedAsync(number.Id), Is.False, "the lock is held until the transaction ends");
    }

    [Test]
    public async Task Commit_sends_the_last_statements_with_commit_and_releases_the_lock()
    {
        var number = (await SeedNumbersAsync(null))[0];
        await using var conn = await OpenUnpooledAsync();
        await using (var transaction = new PipelinedTransaction(conn))
        {
            await using (await transaction.BeginAsync([LockNumber(number.Id)], default)) { }
            await transaction.CommitAsync([SetProvider(number.Id, "committed")], default);
            Assert.That(await InTransactionAsync(conn), Is.False, "COMMIT ended the transaction before the transaction was disposed");
        }
        Assert.That(await ProviderAsync(number.Id), Is.EqualTo("committed"));
        Assert.That(await IsUnlockedAsync(number.Id), Is.True);
    }

    [Test]
    public async Task A_transaction_disposed_before_its_commit_rolls_back_on_the_open_connection()
    {
        var number = (await SeedNumbersAsync(null))[0];
        await using var conn = await OpenUnpooledAsync();
        await using (var transaction = new PipelinedTransaction(conn))
        {
            await using (await transaction.BeginAsync([LockNumber(number.Id), SetProvider(number.Id, "never")], default)) { }
            Assert.That(await IsUnlockedAsync(number.Id), Is.False);
        }

        Assert.That(await InTransactionAsync(conn), Is.False, "the transaction sent ROLLBACK itself; the connection is still open");
        Assert.That(await IsUnlockedAsync(number.Id), Is.True);
        Assert.That(await ProviderAsync(number.Id), Is.EqualTo("seed"), "the change before the refusal was rolled back");
    }

    [Test]
    public async Task A_failed_statement_in_the_commit_batch_skips_the_commit_and_is_rolled_back()
    {
        var (number, taken) = await SeedNumbersAsync(null, 2) is [var a, var b] ? (a, b) : throw new InvalidOperationException();
        await using var conn = await OpenUnpooledAsync();
        await using (var transaction = new PipelinedTransaction(conn))
        {
            await using (await transaction.BeginAsync([LockNumber(number.Id)], default)) { }
            var duplicate = new NpgsqlBatchCommand("UPDATE phone_numbers SET number = @taken WHERE id = @id")
            {
                Parameters = { Uuid("id", number.Id), Text("taken", taken.Number) },
            };
            var failed = Assert.ThrowsAsync<PostgresException>(() => transaction.CommitAsync([SetProvider(number.Id, "half"), duplicate], default));
            Assert.That(failed!.ConstraintName, Is.EqualTo("ux_phone_numbers_number"));
        }

        Assert.That(await InTransactionAsync(conn), Is.False, "the failed transaction was rolled back; the connection takes statements again");
        Assert.That(await ProviderAsync(number.Id), Is.EqualTo("seed"), "the statement before the failing one did not commit");
        Assert.That(await IsUnlockedAsync(number.Id), Is.True);
    }

    [Test]
    public async Task A_cancelled_first_batch_still_rolls_back()
    {
        var number = (await SeedNumbersAsync(null))[0];
        await using var holder = await OpenUnpooledAsync();
        await using var held = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT 1 FROM phone_numbers WHERE id = @id FOR UPDATE", new { id = number.Id }, held);

        await using var conn = await OpenUnpooledAsync();
        using var cancel = new CancellationTokenSource();
        await using (var transaction = new PipelinedTransaction(conn))
        {
            var waiting = transaction.BeginAsync([SetProvider(number.Id, "cancelled")], cancel.Token);
            // Polled from a session outside any transaction: a transaction keeps the view of pg_stat_activity it read first.
            await using var observer = await OpenUnpooledAsync();
            await WaitUntilAsync(async () => await observer.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND @holder = ANY(pg_blocking_pids(pid))",
                new { holder = holder.ProcessID }) == 1);
            await cancel.CancelAsync();
            Assert.CatchAsync<OperationCanceledException>(async () => await waiting);
        }
        await held.RollbackAsync();

        Assert.That(await InTransactionAsync(conn), Is.False, "the cancelled transaction was rolled back with the request's token cancelled");
        Assert.That(await ProviderAsync(number.Id), Is.EqualTo("seed"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        // Waits for a state of the database, polling; the deadline only turns a hang into a failure.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the awaited database state never came");
            await Task.Delay(10);
        }
    }

    private sealed record IdRow(Guid Id);

    private sealed record NumberRow(string Number);
}
