using System.Net;
using System.Net.Http.Json;
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
/// state: a setting, a temporary table and a COPY. The route changes send BEGIN in their first batch and decide after it
/// (PipelinedTransaction), so a refused or failed one must still leave nothing open.</summary>
public sealed class PooledSessionStateTests : DidFixture
{
    /// <summary><c>HoldsTransactionId</c>: the reading statement runs in a transaction that has locked or written rows,
    /// which a read in a transaction of its own never does: so it is one left open on the session.</summary>
    private sealed record SessionState(int Pid, string WorkMem, bool HasStagingTable, long AdvisoryLocks, string TransactionStatus,
        bool HoldsTransactionId);

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
                   (SELECT state FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS transaction_status,
                   pg_current_xact_id_if_assigned() IS NOT NULL AS holds_transaction_id
            """);

    /// <summary>A client of a second service on a pool of <see cref="PoolSize"/> sessions, signed in as the platform
    /// admin, so every request shares those sessions.</summary>
    private (DidApp App, HttpClient Client, NpgsqlDataSource Db) PooledService()
    {
        var cs = new NpgsqlConnectionStringBuilder(App.ConnectionString) { Pooling = true, MaxPoolSize = PoolSize }.ConnectionString;
        var app = new DidApp(cs);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = Admin.DefaultRequestHeaders.Authorization;
        var db = app.Services.GetRequiredService<NpgsqlDataSource>();
        var settings = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        Assert.That(settings.Pooling && settings.NoResetOnClose, Is.True, "a pool that skips Npgsql's reset");
        return (app, client, db);
    }

    [Test]
    public async Task A_pooled_connection_keeps_no_setting_table_or_lock_from_an_import_that_succeeded_or_failed()
    {
        // A pool of two sessions, both read before and after: the imports ran on one of them.
        var (app, client, db) = PooledService();
        await using var _ = app;
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
        Assert.That(before.Select(s => (s.WorkMem, s.HasStagingTable, s.AdvisoryLocks, s.TransactionStatus, s.HoldsTransactionId)),
            Is.All.EqualTo(("4MB", false, 0L, "active", false)), "the import's own work_mem (128MB) differs from the default, so the check can fail");
    }

    [Test]
    public async Task A_route_change_refused_after_its_lock_leaves_the_number_unlocked_and_no_transaction_on_the_pooled_sessions()
    {
        var (app, client, db) = PooledService();
        await using var _ = app;
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id, "1001");
        var numbers = await SeedNumbersAsync(tenant.Id, 2);
        var (routed, free) = (numbers[0].Id, numbers[1].Id);
        var toUser = new { assigned_type = "USER", assigned_id = user.Id };
        await Expect(await client.PostAsJsonAsync($"/api/v1/dids/{routed}/assign", toUser), HttpStatusCode.Created);

        // Each is refused after the batch that began the transaction and locked the number (or tried to).
        await Expect(await client.PostAsJsonAsync($"/api/v1/dids/{routed}/assign", toUser), HttpStatusCode.Conflict);
        await Expect(await client.PostAsJsonAsync($"/api/v1/dids/{free}/assign", new { assigned_type = "USER", assigned_id = Guid.NewGuid() }),
            HttpStatusCode.BadRequest);
        await Expect(await client.PostAsJsonAsync($"/api/v1/dids/{free}/assign", new { assigned_type = "EXTERNAL", assigned_value = "System(id)" }),
            HttpStatusCode.BadRequest);
        await Expect(await client.PutAsJsonAsync($"/api/v1/dids/{routed}/assign", new { assigned_type = "IVR", assigned_id = Guid.NewGuid() }),
            HttpStatusCode.BadRequest);
        await Expect(await client.DeleteAsync($"/api/v1/dids/{free}/assign"), HttpStatusCode.NotFound);
        await Expect(await client.PostAsJsonAsync($"/api/v1/dids/{Guid.NewGuid()}/assign", toUser), HttpStatusCode.NotFound);
        // And one that fails in its second batch, after the lock: its write is refused by the database, COMMIT is skipped.
        await using (var conn = new NpgsqlConnection(App.ConnectionString))
        {
            await conn.OpenAsync();
            await conn.ExecuteAsync($"""
                CREATE FUNCTION fail_route_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.entity_id = '{free}' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER fail_route_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_route_audit();
                """);
            try
            {
                Assert.That((int)(await client.PostAsJsonAsync($"/api/v1/dids/{free}/assign", toUser)).StatusCode, Is.EqualTo(500));
            }
            finally
            {
                await conn.ExecuteAsync("DROP TRIGGER fail_route_audit ON audit_logs; DROP FUNCTION fail_route_audit();");
            }
        }

        // Another session locks both numbers at once, so no refused request holds either; and it can tell when one is held.
        await using var other = new NpgsqlConnection(App.ConnectionString);
        await other.OpenAsync();
        await using (var tx = await other.BeginTransactionAsync())
        {
            var locked = await other.QueryAsync<Guid>("SELECT id FROM phone_numbers WHERE id = ANY(@ids) FOR UPDATE NOWAIT",
                new { ids = new[] { routed, free } }, tx);
            Assert.That(locked, Is.EquivalentTo(new[] { routed, free }));
            Assert.That((await ReadAsync(other)).HoldsTransactionId, Is.True, "a read in a transaction that locked rows is told apart");
            await using var third = new NpgsqlConnection(App.ConnectionString);
            await third.OpenAsync();
            var held = Assert.ThrowsAsync<PostgresException>(() =>
                third.ExecuteAsync("SELECT 1 FROM phone_numbers WHERE id = @routed FOR UPDATE NOWAIT", new { routed }));
            Assert.That(held!.SqlState, Is.EqualTo(PostgresErrorCodes.LockNotAvailable), "a lock still held is seen");
        }
        Assert.That(await ReadAllAsync(db), Has.All.Matches<SessionState>(s => !s.HoldsTransactionId && s.TransactionStatus == "active"),
            "no pooled session is still inside a refused request's transaction");

        // And the refusals changed nothing: the route stands, the free number is still free and can be routed.
        Assert.That((await NumberStatusAsync(routed), await NumberStatusAsync(free)), Is.EqualTo(("ASSIGNED", "ALLOCATED")));
        await Expect(await client.PostAsJsonAsync($"/api/v1/dids/{free}/assign", toUser), HttpStatusCode.Created);
        await Expect(await client.DeleteAsync($"/api/v1/dids/{routed}/assign"), HttpStatusCode.NoContent);
        Assert.That(await ReadAllAsync(db), Has.All.Matches<SessionState>(s => !s.HoldsTransactionId), "the committed ones left none open either");
    }
}
