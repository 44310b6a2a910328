using System.Net;
using System.Text;
using Dapper;
using Did.Tests.Dids;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Connections go back to the pool without Npgsql's session reset (DatabaseSetup), so nothing a request does may
/// outlive its transaction on a pooled connection. The import is the request that changes the most session-looking
/// state: a setting, a temporary table and a COPY.</summary>
public sealed class PooledSessionStateTests : DidFixture
{
    private sealed record SessionState(int Pid, string WorkMem, bool HasStagingTable, long AdvisoryLocks, string TransactionStatus);

    private const int PoolSize = 2; // the start-up migration holds two connections of this connection string at once

    /// <summary>The state of every session of the pool, read with all of them taken at once.</summary>
    private static async Task<List<SessionState>> ReadAllAsync(NpgsqlDataSource db)
    {
        var conns = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < PoolSize; i++) conns.Add(await db.OpenConnectionAsync());
            var states = new List<SessionState>();
            foreach (var conn in conns) states.Add(await ReadAsync(conn));
            return states.OrderBy(s => s.Pid).ToList();
        }
        finally
        {
            foreach (var conn in conns) await conn.DisposeAsync();
        }
    }

    private static Task<SessionState> ReadAsync(NpgsqlConnection conn) =>
        conn.QuerySingleAsync<SessionState>("""
            SELECT pg_backend_pid() AS pid, current_setting('work_mem') AS work_mem,
                   to_regclass('pg_temp.import_staging') IS NOT NULL AS has_staging_table,
                   (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS advisory_locks,
                   (SELECT state FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS transaction_status
            """);

    [Test]
    public async Task A_pooled_connection_keeps_no_setting_table_or_lock_from_an_import_that_succeeded_or_failed()
    {
        // A pool of two sessions, both read before and after: the imports ran on one of them.
        var cs = new NpgsqlConnectionStringBuilder(App.ConnectionString) { Pooling = true, MaxPoolSize = PoolSize }.ConnectionString;
        await using var app = new DidApp(cs);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = Admin.DefaultRequestHeaders.Authorization;
        var db = app.Services.GetRequiredService<NpgsqlDataSource>();
        var settings = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        Assert.That(settings.Pooling && settings.NoResetOnClose, Is.True, "a pool that skips Npgsql's reset");
        var before = await ReadAllAsync(db);

        var numbers = NewNumbers(3);
        var ok = await client.PostAsync("/api/v1/dids/import",
            new StringContent("number,provider\n" + string.Join("\n", numbers.Select(n => n + ",carrier")), Encoding.UTF8, "text/csv"));
        await Expect(ok, HttpStatusCode.Created);
        var duplicate = await client.PostAsync("/api/v1/dids/import",
            new StringContent($"number,provider\n{NewNumber()},a\n{numbers[0]},a\n", Encoding.UTF8, "text/csv"));
        await Expect(duplicate, HttpStatusCode.BadRequest);

        var after = await ReadAllAsync(db);
        Assert.That(before, Has.Count.EqualTo(PoolSize));
        Assert.That(after.Select(s => s.Pid), Is.EqualTo(before.Select(s => s.Pid)), "the same sessions served the imports and these reads");
        Assert.That(after, Is.EqualTo(before), "SET LOCAL ended with its transaction, the staging table was dropped at commit and at rollback, no lock or transaction was left");
        Assert.That(before.Select(s => (s.WorkMem, s.HasStagingTable, s.AdvisoryLocks, s.TransactionStatus)),
            Is.All.EqualTo(("4MB", false, 0L, "active")), "the import's own work_mem (128MB) differs from the default, so the check can fail");
    }
}
