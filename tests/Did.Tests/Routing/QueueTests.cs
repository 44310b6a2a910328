using System.Net;
using System.Net.Http.Json;
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
    public async Task Queue_is_created_with_members_in_order()
    {
        var a = await CreateUserAsync("USER", _tenant.Id, "3001");
        var b = await CreateUserAsync("USER", _tenant.Id, "3002");
        var body = await Expect(await Create(new { name = "support", strategy = "RINGALL", timeout_seconds = 15, members = new[] { b.Id, a.Id } }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("strategy").GetString(), Is.EqualTo("RINGALL"));
        Assert.That(body.GetProperty("members").EnumerateArray().Select(m => m.GetGuid()), Is.EqualTo(new[] { b.Id, a.Id }));
    }

    [Test]
    public async Task Member_of_another_tenant_is_a_400()
    {
        var other = await CreateTenantAsync();
        var stranger = await CreateUserAsync("USER", other.Id, "4001");
        var body = await Expect(await Create(new { name = Unique("q"), strategy = "LINEAR", timeout_seconds = 15, members = new[] { stranger.Id } }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("members[0]")[0].GetString(), Does.Contain("not found or not in your tenant"));
    }

    [Test]
    public async Task Member_without_an_extension_is_a_400()
    {
        var silent = await CreateUserAsync("USER", _tenant.Id);
        var body = await Expect(await Create(new { name = Unique("q"), strategy = "LINEAR", timeout_seconds = 15, members = new[] { silent.Id } }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("no extension"));
    }

    [TestCase("\"ROUNDROBIN\"")]
    [TestCase("\"ringall\"")]
    [TestCase("1")]
    public async Task Unknown_strategy_is_a_400(string strategy) =>
        await Expect(await SendJson(_admin.Client, HttpMethod.Post, "/api/v1/queues", $"{{\"name\":\"s{Guid.NewGuid():N}\",\"strategy\":{strategy},\"timeout_seconds\":15}}"), HttpStatusCode.BadRequest);

    [Test]
    public async Task Same_member_twice_is_a_400()
    {
        var a = await CreateUserAsync("USER", _tenant.Id, "3101");
        await Expect(await Create(new { name = Unique("q"), strategy = "LINEAR", timeout_seconds = 15, members = new[] { a.Id, a.Id } }), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Deleting_a_queue_member_is_a_409_naming_the_queue()
    {
        var member = await CreateUserAsync("USER", _tenant.Id, "3201");
        var name = Unique("helpdesk");
        await Expect(await Create(new { name, strategy = "RRMEMORY", timeout_seconds = 15, members = new[] { member.Id } }), HttpStatusCode.Created);
        var body = await Expect(await _admin.Client.DeleteAsync($"/api/v1/users/{member.Id}"), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(name));
    }

    [Test]
    public async Task Patch_replaces_members_and_keeps_the_rest()
    {
        var a = await CreateUserAsync("USER", _tenant.Id, "3301");
        var created = await Expect(await Create(new { name = Unique("q"), strategy = "FEWESTCALLS", timeout_seconds = 20, members = new[] { a.Id } }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var body = await Expect(await Patch(_admin.Client, $"/api/v1/queues/{id}", new { members = Array.Empty<Guid>(), strategy = "RANDOM" }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("members").GetArrayLength(), Is.Zero);
        Assert.That(body.GetProperty("strategy").GetString(), Is.EqualTo("RANDOM"));
        Assert.That(body.GetProperty("timeout_seconds").GetInt32(), Is.EqualTo(20));
    }
}
