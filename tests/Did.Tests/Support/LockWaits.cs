using Dapper;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Support;

/// <summary>For tests of races: returns once requests sit waiting for a lock in the database, polling
/// pg_stat_activity with one statement per poll (so each poll sees the present). A request that answers first fails the
/// test with its answer; the 30 s deadline only turns a hang into a failure.</summary>
public static class LockWaits
{
    /// <summary>Takes <paramref name="table"/> in SHARE mode (writers wait, readers and foreign-key checks do not) on a
    /// connection of its own, held until the test ends the transaction; with the backend's pid, for
    /// <see cref="UntilBlockedByAsync"/>.</summary>
    public static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction, int Pid)> HoldTableAsync(string connectionString, string table)
    {
        var gate = new NpgsqlConnection(connectionString);
        await gate.OpenAsync();
        var tx = await gate.BeginTransactionAsync();
        await gate.ExecuteAsync($"LOCK TABLE {table} IN SHARE MODE", transaction: tx);
        return (gate, tx, await gate.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: tx));
    }

    /// <summary>Locks row <paramref name="id"/> of <paramref name="table"/> <c>FOR UPDATE</c> (every other lock of the row
    /// waits, <c>FOR KEY SHARE</c> included) on a connection of its own, held until the test ends the transaction; with the
    /// backend's pid, for <see cref="UntilBlockedByAsync"/>.</summary>
    public static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction, int Pid)> HoldRowAsync(string connectionString, string table, Guid id)
    {
        var gate = new NpgsqlConnection(connectionString);
        await gate.OpenAsync();
        var tx = await gate.BeginTransactionAsync();
        await gate.ExecuteAsync($"SELECT 1 FROM {table} WHERE id = @id FOR UPDATE", new { id }, tx);
        return (gate, tx, await gate.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: tx));
    }

    /// <summary>Until at least <paramref name="count"/> sessions wait for a lock that another session holds.</summary>
    public static Task UntilWaitingAsync(NpgsqlDataSource db, int count, params IReadOnlyList<Task<HttpResponseMessage>> sent) =>
        PollAsync(db, """
            SELECT count(*) >= @count FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND cardinality(pg_blocking_pids(pid)) > 0
            """, new { count }, sent);

    /// <summary>Until a session waits for a lock that backend <paramref name="pid"/> holds.</summary>
    public static Task UntilBlockedByAsync(NpgsqlDataSource db, int pid, params IReadOnlyList<Task<HttpResponseMessage>> sent) =>
        PollAsync(db, """
            SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND @pid = ANY(pg_blocking_pids(pid)))
            """, new { pid }, sent);

    private static async Task PollAsync(NpgsqlDataSource db, string waiting, object args, IReadOnlyList<Task<HttpResponseMessage>> sent)
    {
        await using var observer = await db.OpenConnectionAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await observer.ExecuteScalarAsync<bool>(waiting, args))
        {
            if (sent.FirstOrDefault(t => t.IsCompleted) is { } early)
                Assert.Fail($"a request answered without waiting for the lock: {(int)(await early).StatusCode} {await (await early).Content.ReadAsStringAsync()}");
            if (DateTime.UtcNow > deadline) Assert.Fail("no request waited for the lock within 30 s");
            await Task.Delay(10);
        }
    }
}
