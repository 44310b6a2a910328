using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>Route changes of one number that wait for each other's lock. The test holds the number's row lock, sends the
/// requests one after another, each once the one before it is seen waiting for the lock (PostgreSQL then grants the lock
/// in that order), and lets go: each request must decide on, and audit, what the one before it committed.</summary>
public sealed class RouteChangeConcurrencyTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestUser _admin = null!;
    private TestUser _alice = null!;
    private TestUser _bob = null!;

    [OneTimeSetUp]
    public async Task Tenant()
    {
        _tenant = await CreateTenantAsync();
        _admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        _alice = await CreateUserAsync("USER", _tenant.Id, "1001");
        _bob = await CreateUserAsync("USER", _tenant.Id, "1002");
    }

    private object ToAlice => new { assigned_type = "USER", assigned_id = _alice.Id };

    private object ToBob => new { assigned_type = "USER", assigned_id = _bob.Id };

    private Task<HttpResponseMessage> Post(Guid number, object body) => _admin.Client.PostAsJsonAsync($"/api/v1/dids/{number}/assign", body);

    private Task<HttpResponseMessage> Put(Guid number, object body) => _admin.Client.PutAsJsonAsync($"/api/v1/dids/{number}/assign", body);

    private Task<HttpResponseMessage> Delete(Guid number) => _admin.Client.DeleteAsync($"/api/v1/dids/{number}/assign");

    /// <summary>A number routed to Alice, and its route as the API returned it.</summary>
    private async Task<(Guid Number, JsonElement Route)> RoutedNumberAsync()
    {
        var number = (await SeedNumbersAsync(_tenant.Id))[0].Id;
        return (number, await Expect(await Post(number, ToAlice), HttpStatusCode.Created));
    }

    /// <summary>Sends the requests in order while the test holds the number's lock, each once every request before it
    /// waits for that lock, then lets the lock go and returns the responses.</summary>
    private async Task<HttpResponseMessage[]> QueuedBehindLockAsync(Guid number, params Func<Task<HttpResponseMessage>>[] requests)
    {
        await using var holder = new NpgsqlConnection(App.ConnectionString);
        await holder.OpenAsync();
        var sent = new List<Task<HttpResponseMessage>>();
        await using (var tx = await holder.BeginTransactionAsync())
        {
            await holder.ExecuteAsync("SELECT 1 FROM phone_numbers WHERE id = @number FOR UPDATE", new { number }, tx);
            foreach (var request in requests)
            {
                sent.Add(request());
                await LockWaits.UntilWaitingAsync(Db, sent.Count, sent);
            }
            await tx.RollbackAsync();
        }
        return await Task.WhenAll(sent);
    }

    private sealed record AuditRow(string Action, Guid? ActorId, Guid? TenantId, string? Before, string? After);

    private async Task<List<AuditRow>> AuditOfAsync(Guid number)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return (await conn.QueryAsync<AuditRow>(
            "SELECT action, actor_id, tenant_id, before::text AS before, after::text AS after FROM audit_logs WHERE entity_id = @number ORDER BY at, id",
            new { number })).ToList();
    }

    private async Task<long> RoutesOfAsync(Guid number)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM did_assignments WHERE phone_number_id = @number", new { number });
    }

    private static bool SameJson(string? stored, JsonElement returned) =>
        stored is not null && JsonNode.DeepEquals(JsonNode.Parse(stored), JsonNode.Parse(returned.GetRawText()));

    private object RuledToBob => new
    {
        assigned_type = "USER", assigned_id = _bob.Id,
        rules = new object[]
        {
            new { caller_id_prefix = "+44", destination = new { type = "USER", id = _alice.Id } },
            new { caller_id_prefix = "+33", destination = new { type = "EXTERNAL", value = "Busy()" } },
        },
    };

    private async Task<long> RulesOfAsync(Guid number)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM did_route_rules WHERE phone_number_id = @number", new { number });
    }

    [Test]
    public async Task A_delete_that_waited_for_a_put_with_rules_audits_those_rules_and_leaves_none()
    {
        var (number, _) = await RoutedNumberAsync();

        var responses = await QueuedBehindLockAsync(number, () => Put(number, RuledToBob), () => Delete(number));

        var replaced = await Expect(responses[0], HttpStatusCode.OK);
        await Expect(responses[1], HttpStatusCode.NoContent);
        Assert.That(replaced.GetProperty("rules").GetArrayLength(), Is.EqualTo(2));
        var audit = await AuditOfAsync(number);
        Assert.That(audit.Select(a => a.Action), Is.EqualTo(new[] { "ASSIGN", "REASSIGN", "UNASSIGN" }));
        Assert.That(SameJson(audit[2].Before, replaced), Is.True, $"the DELETE audits the rules the PUT wrote: {audit[2].Before}");
        Assert.That((await NumberStatusAsync(number), await RoutesOfAsync(number), await RulesOfAsync(number)), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [Test]
    public async Task A_put_that_waited_for_a_put_with_rules_replaces_exactly_those_rules()
    {
        var (number, _) = await RoutedNumberAsync();

        var responses = await QueuedBehindLockAsync(number, () => Put(number, RuledToBob), () => Put(number, ToAlice));

        var ruled = await Expect(responses[0], HttpStatusCode.OK);
        var plain = await Expect(responses[1], HttpStatusCode.OK);
        var audit = await AuditOfAsync(number);
        Assert.That(audit.Select(a => a.Action), Is.EqualTo(new[] { "ASSIGN", "REASSIGN", "REASSIGN" }));
        Assert.That(SameJson(audit[2].Before, ruled) && SameJson(audit[2].After, plain), Is.True, $"{audit[2].Before} -> {audit[2].After}");
        Assert.That(plain.GetProperty("rules").GetArrayLength(), Is.Zero);
        Assert.That(await RulesOfAsync(number), Is.Zero);
    }

    [Test]
    public async Task A_delete_that_waited_for_a_put_removes_and_audits_the_route_the_put_wrote()
    {
        var (number, original) = await RoutedNumberAsync();

        var responses = await QueuedBehindLockAsync(number, () => Put(number, ToBob), () => Delete(number));

        var replaced = await Expect(responses[0], HttpStatusCode.OK);
        await Expect(responses[1], HttpStatusCode.NoContent);
        Assert.That(replaced.GetProperty("assigned_id").GetGuid(), Is.EqualTo(_bob.Id));
        var audit = await AuditOfAsync(number);
        Assert.That(audit.Select(a => a.Action), Is.EqualTo(new[] { "ASSIGN", "REASSIGN", "UNASSIGN" }));
        Assert.That(SameJson(audit[1].Before, original) && SameJson(audit[1].After, replaced), Is.True, "the PUT replaced the original route");
        Assert.That(SameJson(audit[2].Before, replaced), Is.True, $"the DELETE audits the route the PUT wrote, not the one before the wait: {audit[2].Before}");
        Assert.That(audit[2].After, Is.Null);
        Assert.That((await NumberStatusAsync(number), await RoutesOfAsync(number)), Is.EqualTo(("ALLOCATED", 0L)));
    }

    [Test]
    public async Task A_put_that_waited_for_a_delete_routes_the_number_afresh()
    {
        var (number, original) = await RoutedNumberAsync();

        var responses = await QueuedBehindLockAsync(number, () => Delete(number), () => Put(number, ToBob));

        await Expect(responses[0], HttpStatusCode.NoContent);
        var routed = await Expect(responses[1], HttpStatusCode.OK);
        Assert.That(routed.GetProperty("id").GetGuid(), Is.Not.EqualTo(original.GetProperty("id").GetGuid()), "a new route, not the removed one");
        Assert.That(routed.GetProperty("assigned_id").GetGuid(), Is.EqualTo(_bob.Id));
        var audit = await AuditOfAsync(number);
        Assert.That(audit.Select(a => a.Action), Is.EqualTo(new[] { "ASSIGN", "UNASSIGN", "ASSIGN" }), "the PUT found no route to replace");
        Assert.That(SameJson(audit[1].Before, original), Is.True);
        Assert.That(audit[2].Before, Is.Null);
        Assert.That(SameJson(audit[2].After, routed), Is.True);
        Assert.That((await NumberStatusAsync(number), await RoutesOfAsync(number)), Is.EqualTo(("ASSIGNED", 1L)));
    }

    [Test]
    public async Task A_post_that_waited_for_a_delete_finds_the_number_free()
    {
        var (number, _) = await RoutedNumberAsync();

        var responses = await QueuedBehindLockAsync(number, () => Delete(number), () => Post(number, ToBob));

        await Expect(responses[0], HttpStatusCode.NoContent);
        var routed = await Expect(responses[1], HttpStatusCode.Created);
        Assert.That(routed.GetProperty("assigned_id").GetGuid(), Is.EqualTo(_bob.Id));
        Assert.That((await AuditOfAsync(number)).Select(a => a.Action), Is.EqualTo(new[] { "ASSIGN", "UNASSIGN", "ASSIGN" }));
        Assert.That((await NumberStatusAsync(number), await RoutesOfAsync(number)), Is.EqualTo(("ASSIGNED", 1L)));
    }

    [Test]
    public async Task A_post_that_waited_for_another_post_is_a_409_naming_the_route_written_meanwhile()
    {
        var number = (await SeedNumbersAsync(_tenant.Id))[0].Id;

        var responses = await QueuedBehindLockAsync(number, () => Post(number, ToAlice), () => Post(number, ToBob));

        var first = await Expect(responses[0], HttpStatusCode.Created);
        var refused = await Expect(responses[1], HttpStatusCode.Conflict);
        Assert.That(refused.GetProperty("detail").GetString(), Does.EndWith($"is already assigned to user {_alice.Email} (1001)."));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(refused.GetProperty("assignment").GetRawText()), JsonNode.Parse(first.GetRawText())), Is.True);
        Assert.That((await AuditOfAsync(number)).Select(a => a.Action), Is.EqualTo(new[] { "ASSIGN" }));
    }

    [Test]
    public async Task A_delete_that_waited_for_another_delete_is_a_404_that_changes_nothing()
    {
        var (number, _) = await RoutedNumberAsync();

        var responses = await QueuedBehindLockAsync(number, () => Delete(number), () => Delete(number));

        await Expect(responses[0], HttpStatusCode.NoContent);
        var second = await Expect(responses[1], HttpStatusCode.NotFound);
        Assert.That(second.GetProperty("detail").GetString(), Does.EndWith("is not assigned."));
        Assert.That((await AuditOfAsync(number)).Select(a => a.Action), Is.EqualTo(new[] { "ASSIGN", "UNASSIGN" }));
    }
}
