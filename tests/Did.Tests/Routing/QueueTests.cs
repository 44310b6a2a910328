using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

public sealed class QueueTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestUser _admin = null!;

    [OneTimeSetUp]
    public async Task Tenant()
    {
        _tenant = await CreateTenantAsync();
        _admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
    }

    private Task<HttpResponseMessage> Create(object body) => _admin.Client.PostAsJsonAsync("/api/v1/queues", body);

    [Test]
    public async Task Another_tenants_queue_is_a_404_missing_from_lists_and_not_a_route_target()
    {
        var other = await CreateTenantAsync();
        var theirs = await Expect(await Admin.PostAsJsonAsync("/api/v1/queues", QueueBodies.Create(Unique("o"), other.Id)), HttpStatusCode.Created);
        var id = theirs.GetProperty("id").GetGuid();
        var missing = await Expect(await _admin.Client.GetAsync($"/api/v1/queues/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        var read = await Expect(await _admin.Client.GetAsync($"/api/v1/queues/{id}"), HttpStatusCode.NotFound);
        Assert.That(read.GetProperty("title").GetString(), Is.EqualTo(missing.GetProperty("title").GetString()), "the same answer as a queue that does not exist");
        await Expect(await Patch(_admin.Client, $"/api/v1/queues/{id}", new { strategy = "RANDOM" }), HttpStatusCode.NotFound);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/queues/{id}"), HttpStatusCode.NotFound);
        var list = await Expect(await _admin.Client.GetAsync($"/api/v1/queues?tenant_id={other.Id}"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("items").GetArrayLength(), Is.Zero);
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        var routed = await Problems.FieldErrorsAsync(await _admin.Client.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign",
            new { assigned_type = "QUEUE", assigned_id = id }), "assigned_id");
        Assert.That(routed, Is.EqualTo(new[] { $"Queue {id} not found or not in your tenant." }));

        var after = await Expect(await Admin.GetAsync($"/api/v1/queues/{id}"), HttpStatusCode.OK);
        Assert.That(after.GetRawText(), Is.EqualTo(theirs.GetRawText()), "the refused PATCH and DELETE changed nothing");
    }

    [Test]
    public async Task Queue_is_created_with_members_in_order()
    {
        var a = await CreateUserAsync("USER", _tenant.Id, "3001");
        var b = await CreateUserAsync("USER", _tenant.Id, "3002");
        var body = await Expect(await Create(new { name = "support", strategy = "RINGALL", member_ring_seconds = 15, members = new[] { b.Id, a.Id } }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("strategy").GetString(), Is.EqualTo("RINGALL"));
        Assert.That(body.GetProperty("members").EnumerateArray().Select(m => m.GetGuid()), Is.EqualTo(new[] { b.Id, a.Id }));
    }

    [Test]
    public async Task Member_of_another_tenant_is_a_400()
    {
        var other = await CreateTenantAsync();
        var stranger = await CreateUserAsync("USER", other.Id, "4001");
        var body = await Expect(await Create(new { name = Unique("q"), strategy = "LINEAR", member_ring_seconds = 15, members = new[] { stranger.Id } }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("members[0]")[0].GetString(), Does.Contain("not found or not in your tenant"));
    }

    [Test]
    public async Task Member_without_an_extension_is_a_400()
    {
        var silent = await CreateUserAsync("USER", _tenant.Id);
        var body = await Expect(await Create(new { name = Unique("q"), strategy = "LINEAR", member_ring_seconds = 15, members = new[] { silent.Id } }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("no extension"));
        Assert.That(body.GetProperty("errors").GetProperty("members[0]")[0].GetString(), Is.EqualTo($"User {silent.Id} has no extension, so calls cannot ring it."));
    }

    [TestCase("\"ROUNDROBIN\"")]
    [TestCase("\"ringall\"")]
    [TestCase("1")]
    public async Task Unknown_strategy_is_a_400(string strategy)
    {
        var json = JsonSerializer.Serialize(QueueBodies.Create(Unique("s"))).Replace("\"RINGALL\"", strategy);
        var body = await Expect(await SendJson(_admin.Client, HttpMethod.Post, "/api/v1/queues", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("at '$.strategy'"), "the answer names the field");
    }

    [Test]
    public async Task Same_member_twice_is_a_400_naming_where_and_which_user()
    {
        var a = await CreateUserAsync("USER", _tenant.Id, "3101");
        var b = await CreateUserAsync("USER", _tenant.Id, "3102");
        var body = QueueBodies.Create(Unique("q"), strategy: "LINEAR");
        body["members"] = new[] { a.Id, b.Id, a.Id };
        Assert.That(await Problems.FieldErrorsAsync(await Create(body), "members[2]"),
            Is.EqualTo(new[] { $"'members[2]' lists user {a.Id} again: it is members[0] already." }));

        var queue = await Expect(await Create(QueueBodies.Create(Unique("q"), strategy: "LINEAR")), HttpStatusCode.Created);
        var patched = await Patch(_admin.Client, $"/api/v1/queues/{queue.GetProperty("id").GetGuid()}", new { members = new[] { b.Id, b.Id } });
        Assert.That(await Problems.FieldErrorsAsync(patched, "members[1]"),
            Is.EqualTo(new[] { $"'members[1]' lists user {b.Id} again: it is members[0] already." }));
    }

    [Test]
    public async Task More_than_500_members_is_a_400_naming_how_many_were_sent()
    {
        var body = QueueBodies.Create(Unique("q"), strategy: "LINEAR");
        body["members"] = Enumerable.Range(0, 501).Select(_ => Guid.NewGuid()).ToArray();
        Assert.That(await Problems.FieldErrorsAsync(await Create(body), "members"), Is.EqualTo(new[] { "'members' holds at most 500 users (you sent 501)." }));
    }

    [Test]
    public async Task Deleting_a_queue_member_is_a_409_naming_the_queue()
    {
        var member = await CreateUserAsync("USER", _tenant.Id, "3201");
        var name = Unique("helpdesk");
        await Expect(await Create(new { name, strategy = "RRMEMORY", member_ring_seconds = 15, members = new[] { member.Id } }), HttpStatusCode.Created);
        var body = await Expect(await _admin.Client.DeleteAsync($"/api/v1/users/{member.Id}"), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(name));
    }

    [Test]
    public async Task Patch_replaces_members_and_keeps_the_rest()
    {
        var a = await CreateUserAsync("USER", _tenant.Id, "3301");
        var created = await Expect(await Create(new { name = Unique("q"), strategy = "FEWESTCALLS", member_ring_seconds = 20, members = new[] { a.Id } }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var body = await Expect(await Patch(_admin.Client, $"/api/v1/queues/{id}", new { members = Array.Empty<Guid>(), strategy = "RANDOM" }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("members").GetArrayLength(), Is.Zero);
        Assert.That(body.GetProperty("strategy").GetString(), Is.EqualTo("RANDOM"));
        Assert.That(body.GetProperty("member_ring_seconds").GetInt32(), Is.EqualTo(20));
    }

    [Test]
    public async Task Member_ring_seconds_is_stored_and_changed_by_its_name()
    {
        var created = await Expect(await Create(new { name = Unique("q"), strategy = "RINGALL", member_ring_seconds = 12 }), HttpStatusCode.Created);
        Assert.That(created.GetProperty("member_ring_seconds").GetInt32(), Is.EqualTo(12));
        var id = created.GetProperty("id").GetGuid();
        var patched = await Expect(await Patch(_admin.Client, $"/api/v1/queues/{id}", new { member_ring_seconds = 45 }), HttpStatusCode.OK);
        Assert.That(patched.GetProperty("member_ring_seconds").GetInt32(), Is.EqualTo(45));
        var read = await Expect(await _admin.Client.GetAsync($"/api/v1/queues/{id}"), HttpStatusCode.OK);
        Assert.That(read.GetProperty("member_ring_seconds").GetInt32(), Is.EqualTo(45));
        Assert.That(read.TryGetProperty("timeout_seconds", out _), Is.False);
    }

    [TestCase(0)]
    [TestCase(601)]
    public async Task Member_ring_seconds_outside_1_to_600_is_a_400_naming_the_field(int seconds)
    {
        var body = await Expect(await Create(new { name = Unique("q"), strategy = "RINGALL", member_ring_seconds = seconds }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("member_ring_seconds")[0].GetString(), Does.Contain("1 to 600").And.Contain(seconds.ToString()));
    }

    [Test]
    public async Task The_old_field_timeout_seconds_is_refused_as_unknown()
    {
        var body = await Expect(await SendJson(_admin.Client, HttpMethod.Post, "/api/v1/queues",
            $"{{\"name\":\"{Unique("q")}\",\"strategy\":\"RINGALL\",\"member_ring_seconds\":15,\"timeout_seconds\":15}}"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("timeout_seconds"));
    }

    [Test]
    public async Task Openapi_says_member_ring_seconds_is_the_time_each_member_rings()
    {
        var schemas = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("components").GetProperty("schemas");
        foreach (var schema in new[] { "CreateQueueRequest", "UpdateQueueRequest", "QueueResponse" })
        {
            var field = schemas.GetProperty(schema).GetProperty("properties").GetProperty("member_ring_seconds");
            Assert.That(field.GetProperty("description").GetString(), Does.Contain("rings one member").And.Contain("Not how long a caller may wait"), schema);
        }
    }

    [Test]
    public async Task A_caller_wait_limit_is_stored_kept_when_absent_and_removed_when_sent_as_null()
    {
        var body = QueueBodies.Create(Unique("w"));
        body["max_wait_seconds"] = 90;
        var created = await Expect(await Create(body), HttpStatusCode.Created);
        Assert.That(created.GetProperty("max_wait_seconds").GetInt32(), Is.EqualTo(90));
        var id = created.GetProperty("id").GetGuid();

        var kept = await Expect(await Patch(_admin.Client, $"/api/v1/queues/{id}", new { strategy = "LINEAR" }), HttpStatusCode.OK);
        Assert.That(kept.GetProperty("max_wait_seconds").GetInt32(), Is.EqualTo(90));
        var changed = await Expect(await Patch(_admin.Client, $"/api/v1/queues/{id}", new { max_wait_seconds = 300 }), HttpStatusCode.OK);
        Assert.That(changed.GetProperty("max_wait_seconds").GetInt32(), Is.EqualTo(300));
        var removed = await Expect(await SendJson(_admin.Client, HttpMethod.Patch, $"/api/v1/queues/{id}", """{"max_wait_seconds":null}"""), HttpStatusCode.OK);
        Assert.That(removed.GetProperty("max_wait_seconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(removed.GetProperty("strategy").GetString(), Is.EqualTo("LINEAR"));
        var read = await Expect(await _admin.Client.GetAsync($"/api/v1/queues/{id}"), HttpStatusCode.OK);
        Assert.That(read.GetProperty("max_wait_seconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    /// <summary>"id" comes from the route and "max_wait_seconds_sent" is worked out from the body, so neither is the body's:
    /// sent, each is an unknown property (400 naming it) and the queue stays as it was, not a 200 that drops the field.</summary>
    [TestCase("id")]
    [TestCase("max_wait_seconds_sent")]
    public async Task A_patch_naming_the_queue_s_own_id_or_sent_flag_is_a_400_and_changes_nothing(string property)
    {
        var body = QueueBodies.Create(Unique("i"));
        body["max_wait_seconds"] = 90;
        var created = await Expect(await Create(body), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var value = property == "id" ? $"\"{Guid.NewGuid()}\"" : "true";
        var refused = await Expect(await SendJson(_admin.Client, HttpMethod.Patch, $"/api/v1/queues/{id}",
            $$"""{"strategy":"LINEAR","{{property}}":{{value}}}"""), HttpStatusCode.BadRequest);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain($"'{property}'"));
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/queues/{id}"), HttpStatusCode.OK);
        Assert.That(after.GetRawText(), Is.EqualTo(created.GetRawText()));
    }

    [Test]
    public async Task A_queue_without_a_wait_limit_has_none()
    {
        var created = await Expect(await Create(QueueBodies.Create(Unique("n"))), HttpStatusCode.Created);
        Assert.That(created.GetProperty("max_wait_seconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [TestCase(0)]
    [TestCase(86401)]
    public async Task A_caller_wait_limit_outside_1_to_86400_is_a_400_naming_it(int seconds)
    {
        var body = QueueBodies.Create(Unique("w"));
        body["max_wait_seconds"] = seconds;
        Assert.That(await Problems.FieldErrorsAsync(await Create(body), "max_wait_seconds"),
            Is.EqualTo(new[] { $"'max_wait_seconds' must be 1 to 86400 seconds, or null for no limit (you sent {seconds})." }));
        var id = (await Expect(await Create(QueueBodies.Create(Unique("w"))), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await Problems.FieldErrorsAsync(await Patch(_admin.Client, $"/api/v1/queues/{id}", new { max_wait_seconds = seconds }), "max_wait_seconds");
    }
}
