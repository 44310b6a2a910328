using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>An assign whose default, failover or rule names an IVR, queue or schedule that is deleted after the
/// assign read it and before the assign wrote its route: a second connection holds the route tables in SHARE mode
/// (writers wait, readers and foreign-key checks do not), the delete runs to its end meanwhile, and the assign's write
/// then fails the target's key. The answer is a 409 naming the target and its field, not the delete's own message.</summary>
public sealed class RouteTargetDeleteRaceTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestUser _admin = null!;
    private Guid _queue;

    [OneTimeSetUp]
    public async Task Tenant()
    {
        _tenant = await CreateTenantAsync();
        _admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        _queue = await CreateAsync("queues");
    }

    private async Task<Guid> CreateAsync(string kind) => (await Expect(await _admin.Client.PostAsJsonAsync($"/api/v1/{kind}", kind switch
    {
        "ivrs" => (object)new { name = Unique("ivr"), greeting = "custom/welcome", timeout_seconds = 5, options = new Dictionary<string, object>() },
        "queues" => new { name = Unique("q"), strategy = "RINGALL", member_ring_seconds = 15, members = Array.Empty<Guid>() },
        _ => new { name = Unique("s"), timezone = "UTC", open = new[] { new { days = new[] { "MON" }, from = "09:00", to = "17:00" } } },
    }), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private object Route(string how, Guid target) => how switch
    {
        "default IVR" => new { assigned_type = "IVR", assigned_id = target },
        "failover queue" => new { assigned_type = "QUEUE", assigned_id = _queue, failover = new { type = "QUEUE", id = target } },
        "rule IVR" => new
        {
            assigned_type = "EXTERNAL", assigned_value = "Hangup()",
            rules = new[] { new { caller_id_prefix = "+44", destination = new { type = "IVR", id = target } } },
        },
        _ => new
        {
            assigned_type = "EXTERNAL", assigned_value = "Hangup()",
            rules = new[] { new { schedule_id = target, when = "CLOSED", destination = new { type = "EXTERNAL", value = "Hangup()" } } },
        },
    };

    [TestCase("default IVR", "ivrs", "did_assignments", "IVR {0} (assigned_id)")]
    [TestCase("failover queue", "queues", "did_assignments", "Queue {0} (failover.id)")]
    [TestCase("rule IVR", "ivrs", "did_route_rules", "rules[0].destination.id {0}")]
    [TestCase("rule schedule", "schedules", "did_route_rules", "rules[0].schedule_id {0}")]
    public async Task An_assign_whose_target_is_deleted_before_it_writes_is_a_409_naming_the_field(string how, string kind, string gated, string named)
    {
        var target = await CreateAsync(kind);
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        var (gate, tx, pid) = await LockWaits.HoldTableAsync(App.ConnectionString, gated);
        await using (gate)
        {
            var assign = _admin.Client.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", Route(how, target));
            await LockWaits.UntilBlockedByAsync(Db, pid, assign);

            await Expect(await _admin.Client.DeleteAsync($"/api/v1/{kind}/{target}"), HttpStatusCode.NoContent);
            await tx.CommitAsync();

            var refused = await Expect(await assign, HttpStatusCode.Conflict);
            Assert.That(refused.GetProperty("detail").GetString(),
                Does.Contain(string.Format(named, target)).And.Contain("was deleted while this route was saved"));
        }
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"), "nothing of the refused route was saved");
    }
}
