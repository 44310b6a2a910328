using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>An assign that routes to a user (by default, as failover, by a rule) and a PATCH removing that user's
/// extension, sent together. A second connection gates one request at a table lock, in the order under test, and the
/// other request runs to its end meanwhile. Whichever finishes second gets a 409 naming the user or the numbers; no
/// route ever points at a user without an extension.</summary>
public sealed class RoutedUserRaceTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestUser _admin = null!;
    private Guid _queue;
    private int _extension = 5300;

    [OneTimeSetUp]
    public async Task Tenant()
    {
        _tenant = await CreateTenantAsync();
        _admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        var queue = await Expect(await _admin.Client.PostAsJsonAsync("/api/v1/queues",
            new { name = Unique("q"), strategy = "RINGALL", member_ring_seconds = 15, members = Array.Empty<Guid>() }), HttpStatusCode.Created);
        _queue = queue.GetProperty("id").GetGuid();
    }

    /// <summary>Every reference to a user without an extension, in the five places a user is routed to.</summary>
    private async Task<long> RoutesToUsersWithoutExtensionAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            SELECT (SELECT count(*) FROM did_assignments a JOIN users u ON u.id IN (a.assigned_user_id, a.failover_user_id) WHERE u.extension IS NULL)
                 + (SELECT count(*) FROM did_route_rules r JOIN users u ON u.id = r.dest_user_id WHERE u.extension IS NULL)
                 + (SELECT count(*) FROM ivr_destinations d JOIN users u ON u.id = d.dest_user_id WHERE u.extension IS NULL)
                 + (SELECT count(*) FROM queue_members m JOIN users u ON u.id = m.user_id WHERE u.extension IS NULL)
            """);
    }

    private object Route(string how, Guid user) => how switch
    {
        "default" => new { assigned_type = "USER", assigned_id = user },
        "failover" => new { assigned_type = "QUEUE", assigned_id = _queue, failover = new { type = "USER", id = user } },
        "rule" => new
        {
            assigned_type = "EXTERNAL", assigned_value = "Hangup()",
            rules = new[] { new { caller_id_prefix = "+44", destination = new { type = "USER", id = user } } },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(how)),
    };

    [TestCase("default", "assigned_id")]
    [TestCase("failover", "failover.id")]
    [TestCase("rule", "rules[0].destination.id")]
    public async Task An_assign_that_read_the_user_ringing_loses_to_an_extension_removal_that_commits_first(string how, string field)
    {
        var user = await CreateUserAsync("USER", _tenant.Id, (++_extension).ToString());
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        var (gate, tx, pid) = await LockWaits.HoldTableAsync(App.ConnectionString, "did_assignments");
        await using (gate)
        {
            // The assign reads the user with its extension, then waits to write its route.
            var assign = _admin.Client.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", Route(how, user.Id));
            await LockWaits.UntilBlockedByAsync(Db, pid, assign);

            var removed = await Expect(await Patch(_admin.Client, $"/api/v1/users/{user.Id}", new { extension = "" }), HttpStatusCode.OK);
            Assert.That(removed.GetProperty("extension").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
            await tx.CommitAsync();

            var refused = await Expect(await assign, HttpStatusCode.Conflict);
            Assert.That(refused.GetProperty("detail").GetString(), Does.Contain(user.Id.ToString()).And.Contain(field).And.Contain("extension removed"));
        }
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"), "nothing of the refused route was saved");
        Assert.That(await RoutesToUsersWithoutExtensionAsync(), Is.Zero);
    }

    [Test]
    public async Task An_extension_removal_that_waits_for_an_assign_of_the_user_is_the_usual_409()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, (++_extension).ToString());
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        var (gate, tx, pid) = await LockWaits.HoldTableAsync(App.ConnectionString, "did_route_rules");
        await using (gate)
        {
            // The assign has written its route (the user's key checked and held) and waits to write its rules.
            var body = new
            {
                assigned_type = "USER", assigned_id = user.Id,
                rules = new[] { new { caller_id_prefix = "+44", destination = new { type = "EXTERNAL", value = "Hangup()" } } },
            };
            var assign = _admin.Client.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", body);
            await LockWaits.UntilBlockedByAsync(Db, pid, assign);
            await using var observer = await Db.OpenConnectionAsync();
            var assignPid = await observer.ExecuteScalarAsync<int>(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND @pid = ANY(pg_blocking_pids(pid))", new { pid });

            var patch = Patch(_admin.Client, $"/api/v1/users/{user.Id}", new { extension = "" });
            await LockWaits.UntilBlockedByAsync(Db, assignPid, patch);
            await tx.CommitAsync();

            await Expect(await assign, HttpStatusCode.Created);
            var refused = await Expect(await patch, HttpStatusCode.Conflict);
            Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("is still in use").And.Contain(number.Number));
        }
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("extension").GetString(), Is.EqualTo(user.Extension));
        Assert.That(await RoutesToUsersWithoutExtensionAsync(), Is.Zero);
    }

    /// <summary>A route the PATCH's read cannot see: written with the keys' triggers off (as only a superuser can) while
    /// the PATCH waits to write the user, after its read. The key on the route still refuses the UPDATE: a 409 saying why,
    /// and the extension stays.</summary>
    [Test]
    public async Task An_extension_removal_the_route_keys_refuse_is_a_409_and_keeps_the_extension()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, (++_extension).ToString());
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        var (gate, tx, pid) = await LockWaits.HoldTableAsync(App.ConnectionString, "users");
        await using (gate)
        {
            var patch = Patch(_admin.Client, $"/api/v1/users/{user.Id}", new { extension = "" });
            await LockWaits.UntilBlockedByAsync(Db, pid, patch);
            await gate.ExecuteAsync("""
                UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = @number;
                SET LOCAL session_replication_role = replica;
                INSERT INTO did_assignments (id, phone_number_id, number, tenant_id, assigned_type, assigned_id)
                VALUES (gen_random_uuid(), @number, @e164, @tenant, 'USER', @user);
                """, new { number = number.Id, e164 = number.Number, tenant = _tenant.Id, user = user.Id }, tx);
            await tx.CommitAsync();

            var refused = await Expect(await patch, HttpStatusCode.Conflict);
            Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("Numbers still route to this user"));
        }
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("extension").GetString(), Is.EqualTo(user.Extension));
    }
}
