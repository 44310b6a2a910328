using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Dialplan;
using Did.Features.Apply;
using Did.Tests.Dialplan;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>A snapshot read with a <see cref="SnapshotMemory"/> reads again only the tenants whose rows changed, and is
/// always the same data as a read of everything: after a write to any table the snapshot reads, by the API or by hand,
/// of one row, of several in one transaction, a delete alone, a rolled-back write, a new tenant and a deleted one.</summary>
public sealed class SnapshotMemoryTests : ApiFixture
{
    private TestTenant _a = null!;
    private TestTenant _b = null!;
    private TestTenant _c = null!;
    private TestUser _alice = null!;
    private TestUser _bob = null!;
    private TestUser _dave = null!;
    private TestNumber _numberOfC = null!;
    private Guid _queue;
    private Guid _ivr;
    private Guid _office;
    private List<TestNumber> _numbersOfA = null!;
    private List<TestNumber> _numbersOfB = null!;

    [OneTimeSetUp]
    public async Task Seed()
    {
        _a = await CreateTenantAsync();
        _b = await CreateTenantAsync();
        _c = await CreateTenantAsync();
        _alice = await CreateUserAsync("USER", _a.Id, "1001");
        _bob = await CreateUserAsync("USER", _a.Id, "1002");
        var carol = await CreateUserAsync("USER", _b.Id, "2001");
        _dave = await CreateUserAsync("USER", _c.Id, "3001");
        var queue = QueueBodies.Create("support", _a.Id);
        queue["members"] = new[] { _alice.Id, _bob.Id };
        _queue = await CreateAsync("/api/v1/queues", queue);
        _ivr = await CreateAsync("/api/v1/ivrs", new
        {
            tenant_id = _a.Id, name = "main", greeting = "welcome", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["1"] = new { type = "USER", id = _alice.Id }, ["2"] = new { type = "QUEUE", id = _queue } },
        });
        _office = await CreateAsync("/api/v1/schedules", new
        {
            name = "office", timezone = "Europe/London", tenant_id = _a.Id,
            open = new[] { new { days = new[] { "MON", "TUE" }, from = "09:00", to = "17:00" } },
            closed_dates = new[] { new { date = "2026-12-25", name = "Christmas Day" } },
        });
        _numbersOfA = await SeedNumbersAsync(_a.Id, 4);
        _numbersOfB = await SeedNumbersAsync(_b.Id, 2);
        _numberOfC = (await SeedNumbersAsync(_c.Id, 1))[0];
        await Assign(_numbersOfA[0].Id, new { assigned_type = "USER", assigned_id = _alice.Id });
        await Assign(_numbersOfA[1].Id, new
        {
            assigned_type = "USER", assigned_id = _bob.Id, ring_seconds = 20, failover = new { type = "QUEUE", id = _queue },
            rules = new object[]
            {
                new { caller_id_prefix = "+44", destination = new { type = "IVR", id = _ivr } },
                new { schedule_id = _office, when = "CLOSED", destination = new { type = "EXTERNAL", value = "Hangup()" } },
            },
        });
        await Assign(_numbersOfA[2].Id, new { assigned_type = "IVR", assigned_id = _ivr });
        await Assign(_numbersOfA[3].Id, new { assigned_type = "USER", assigned_id = _alice.Id });
        await Assign(_numbersOfB[0].Id, new { assigned_type = "USER", assigned_id = carol.Id });
        await Assign(_numbersOfB[1].Id, new { assigned_type = "USER", assigned_id = carol.Id });
        await Assign(_numberOfC.Id, new { assigned_type = "USER", assigned_id = _dave.Id });
    }

    private async Task<Guid> CreateAsync(string url, object body) =>
        (await Expect(await Admin.PostAsJsonAsync(url, body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task Assign(Guid number, object body) =>
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number}/assign", body), HttpStatusCode.Created);

    /// <summary>Each write, made after a remembered read, and the tenants it changes.</summary>
    private IEnumerable<(string Write, Func<Task> Make, Guid[] Changes)> Writes() =>
    [
        // A user's email, name or password is nothing the dialplan reads: the tenant is kept.
        ("a user's email", () => Sql("UPDATE users SET email = 'x' || email WHERE id = @id", new { id = _alice.Id }), []),
        ("a user's extension", () => Sql("UPDATE users SET extension = '1099' WHERE id = @id", new { id = _bob.Id }), [_a.Id]),
        ("a user added by hand", () => Sql("""
            INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp)
            VALUES (gen_random_uuid(), 'erin@' || @tenant || '.test', 'Erin', 'x', 'USER', @tenant, '2002', gen_random_uuid())
            """, new { tenant = _b.Id }), [_b.Id]),
        ("one user's extension removed and another's changed, in one statement", () => Sql(
            "UPDATE users SET extension = CASE extension WHEN '2002' THEN NULL ELSE '2003' END WHERE tenant_id = @b AND extension IN ('2001', '2002')",
            new { b = _b.Id }), [_b.Id]),
        ("a user deleted", () => Sql("DELETE FROM users WHERE tenant_id = @b AND display_name = 'Erin'", new { b = _b.Id }), [_b.Id]),
        ("an IVR's greeting", () => Sql("UPDATE ivrs SET greeting = 'hello' WHERE id = @id", new { id = _ivr }), [_a.Id]),
        ("an IVR option removed", () => Sql("DELETE FROM ivr_destinations WHERE ivr_id = @id AND key = '2'", new { id = _ivr }), [_a.Id]),
        ("a queue's strategy", () => Sql("UPDATE queues SET strategy = 'LINEAR' WHERE id = @id", new { id = _queue }), [_a.Id]),
        ("queue members reordered in one transaction", () => Sql(
            "UPDATE queue_members SET position = position + 10 WHERE queue_id = @id; UPDATE queue_members SET position = 11 - (position - 10) WHERE queue_id = @id",
            new { id = _queue }), [_a.Id]),
        ("a schedule's zone", () => Sql("UPDATE schedules SET timezone = 'Europe/Paris' WHERE id = @id", new { id = _office }), [_a.Id]),
        ("an opening interval", () => Sql("UPDATE schedule_open_intervals SET to_minute = 1000 WHERE schedule_id = @id", new { id = _office }), [_a.Id]),
        ("a closed date's name", () => Sql("UPDATE schedule_closed_dates SET name = 'Xmas' WHERE schedule_id = @id", new { id = _office }), [_a.Id]),
        ("a rule's prefix", () => Sql("UPDATE did_route_rules SET caller_id_prefix = '+33' WHERE caller_id_prefix = '+44'"), [_a.Id]),
        ("a route's ring time", () => Sql("UPDATE did_assignments SET ring_seconds = 25 WHERE phone_number_id = @id", new { id = _numbersOfA[1].Id }), [_a.Id]),
        // Two rows written by one transaction and replaced by one other: the sum of the writers' hashes still moves.
        ("two routes swapped in one transaction", () => Sql("""
            UPDATE did_assignments SET assigned_id = CASE assigned_id WHEN @alice THEN @bob ELSE @alice END
            WHERE phone_number_id = ANY(@ids)
            """, new { alice = _alice.Id, bob = _bob.Id, ids = new[] { _numbersOfA[0].Id, _numbersOfA[3].Id } }), [_a.Id]),
        ("a route deleted alone", () => Sql("DELETE FROM did_assignments WHERE phone_number_id = @id", new { id = _numbersOfB[1].Id }), [_b.Id]),
        ("a route unassigned by the API", () => Unassign(_numbersOfA[3].Id), [_a.Id]),
        ("a write rolled back", RolledBackWrite, []),
        ("a tenant's slug", () => Sql("UPDATE tenants SET slug = slug || 'z' WHERE id = @id", new { id = _c.Id }), [_c.Id]),
        ("a new tenant", async () => await CreateTenantAsync(), []),
        ("another user added by hand", () => Sql("""
            INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp)
            VALUES (gen_random_uuid(), 'frank@' || @b || '.test', 'Frank', 'x', 'USER', @b, '1077', gen_random_uuid())
            """, new { b = _b.Id }), [_b.Id]),
        // Both tenants move: the one the user left and the one it joined.
        ("a user moved to another tenant", () => Sql("UPDATE users SET tenant_id = @a WHERE tenant_id = @b AND display_name = 'Frank'",
            new { a = _a.Id, b = _b.Id }), [_a.Id, _b.Id]),
        ("a tenant emptied and deleted by the API", DeleteTenantC, [_c.Id]),
    ];

    [Test]
    public async Task Every_write_reads_again_only_its_tenants_and_gives_what_a_whole_read_gives()
    {
        var memory = new SnapshotMemory();
        await DialplanSnapshotReader.ReadAsync(Db, memory, CancellationToken.None);
        foreach (var (write, make, changes) in Writes())
        {
            var before = memory.Last!;
            await make();
            var remembered = await DialplanSnapshotReader.ReadAsync(Db, memory, CancellationToken.None);
            var whole = await DialplanSnapshotReader.ReadAsync(Db, CancellationToken.None);

            Assert.That(Canonical(remembered), Is.EqualTo(Canonical(whole)), write);
            Assert.That(RenderedDialplan.Of(remembered).Extensions, Is.EqualTo(RenderedDialplan.Of(whole).Extensions), write);
            foreach (var tenant in remembered.Tenants.Where(t => before.ContainsKey(t.Id)))
            {
                var kept = ReferenceEquals(tenant, before[tenant.Id].Snapshot);
                Assert.That(kept, Is.EqualTo(!changes.Contains(tenant.Id)), $"{write}: tenant {tenant.Slug} kept as remembered");
            }
        }
    }

    [Test]
    public async Task The_warm_up_read_runs_every_statement_and_reads_no_tenant()
    {
        Assert.That(await DialplanSnapshotReader.ReadNoTenantAsync(Db, CancellationToken.None), Is.Zero);
        Assert.That((await DialplanSnapshotReader.ReadAsync(Db, CancellationToken.None)).Tenants, Is.Not.Empty, "there are tenants to read");
    }

    [Test]
    public async Task A_read_with_nothing_changed_keeps_every_record()
    {
        var memory = new SnapshotMemory();
        var first = await DialplanSnapshotReader.ReadAsync(Db, memory, CancellationToken.None);
        var second = await DialplanSnapshotReader.ReadAsync(Db, memory, CancellationToken.None);

        Assert.That(second.Tenants, Is.EqualTo(first.Tenants).Using<TenantSnapshot>(ReferenceEquals));
        Assert.That(second.Numbers, Is.EqualTo(first.Numbers).Using<RoutedNumber>(ReferenceEquals));
        Assert.That(SamePart.Equal(first, second), Is.True);
    }

    /// <summary>Each tenant's part in its stored form, which sorts every list: the same data whatever order it came in.</summary>
    private static Dictionary<Guid, string> Canonical(DialplanSnapshot snapshot) =>
        ScopedSnapshot.Split(snapshot).ToDictionary(p => p.Key, p => DeployedState.ToJson(p.Value));

    private async Task Sql(string sql, object? args = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync(sql, args, tx);
        await tx.CommitAsync();
    }

    private async Task RolledBackWrite()
    {
        await using var conn = await Db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("UPDATE users SET extension = '2999' WHERE tenant_id = @id", new { id = _b.Id }, tx);
        await tx.RollbackAsync();
    }

    private async Task Unassign(Guid number) =>
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{number}/assign"), HttpStatusCode.NoContent);

    private async Task DeleteTenantC()
    {
        await Unassign(_numberOfC.Id);
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{_numberOfC.Id}/deallocate", null), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/users/{_dave.Id}"), HttpStatusCode.NoContent);
        await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{_c.Id}"), HttpStatusCode.NoContent);
    }
}
