using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

public sealed class IvrTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestTenant _other = null!;
    private TestUser _admin = null!;
    private TestUser _alice = null!;
    private TestUser _stranger = null!;

    [OneTimeSetUp]
    public async Task Tenants()
    {
        _tenant = await CreateTenantAsync();
        _other = await CreateTenantAsync();
        _admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
        _alice = await CreateUserAsync("USER", _tenant.Id, "1001");
        _stranger = await CreateUserAsync("USER", _other.Id, "2001");
    }

    private Task<HttpResponseMessage> Create(object body, HttpClient? by = null) => (by ?? _admin.Client).PostAsJsonAsync("/api/v1/ivrs", body);

    [Test]
    public async Task Tenant_admin_creates_an_ivr_with_options_in_its_tenant()
    {
        var response = await Create(new
        {
            name = "main", greeting = "custom/acme-welcome", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["1"] = new { type = "USER", id = _alice.Id }, ["#"] = new { type = "HANGUP" } },
        });
        var body = await Expect(response, HttpStatusCode.Created);
        Assert.That(body.GetProperty("tenant_id").GetGuid(), Is.EqualTo(_tenant.Id));
        Assert.That(body.GetProperty("options").GetProperty("1").GetProperty("type").GetString(), Is.EqualTo("USER"));
        Assert.That(body.GetProperty("options").GetProperty("1").GetProperty("id").GetGuid(), Is.EqualTo(_alice.Id));
        Assert.That(body.GetProperty("timeout_destination").GetProperty("type").GetString(), Is.EqualTo("HANGUP"));
        Assert.That(body.GetProperty("invalid_destination").GetProperty("type").GetString(), Is.EqualTo("HANGUP"));
    }

    [Test]
    public async Task Option_pointing_at_another_tenants_user_is_a_400_that_reveals_nothing()
    {
        var stranger = await Expect(await Create(new { name = Unique("x"), greeting = "g", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["1"] = new { type = "USER", id = _stranger.Id } } }), HttpStatusCode.BadRequest);
        var invented = await Expect(await Create(new { name = Unique("x"), greeting = "g", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["1"] = new { type = "USER", id = Guid.NewGuid() } } }), HttpStatusCode.BadRequest);
        Assert.That(stranger.GetProperty("detail").GetString(), Does.Contain("not found or not in your tenant"));
        Assert.That(stranger.GetProperty("errors").GetProperty("options.1")[0].GetString(), Does.Contain(_stranger.Id.ToString()));
        Assert.That(invented.GetProperty("detail").GetString(), Does.Contain("not found or not in your tenant"));
    }

    [TestCase("a")]
    [TestCase("10")]
    [TestCase("t")]
    public async Task Option_key_other_than_one_digit_star_or_hash_is_a_400(string key)
    {
        var errors = await Problems.FieldErrorsAsync(await Create(new { name = Unique("k"), greeting = "g", timeout_seconds = 5,
            options = new Dictionary<string, object> { [key] = new { type = "HANGUP" } } }), $"options.{key}");
        Assert.That(errors, Has.Some.EqualTo($"Option key '{key}' must be one of 0-9, * or #."));
    }

    /// <summary>An option's errors are keyed by where it sits in the body, options.&lt;key&gt;, as a rule's are
    /// (rules[1].destination.id): whichever option is wrong, and whether the shape or the tenant check refuses it.</summary>
    [Test]
    public async Task A_bad_option_field_is_keyed_by_the_options_key_and_its_path()
    {
        var options = new Dictionary<string, object>
        {
            ["1"] = new { type = "HANGUP" }, ["5"] = new { type = "HANGUP", id = _alice.Id }, ["#"] = new { type = "USER" },
        };
        var created = await Expect(await Create(new { name = Unique("p"), greeting = "g", timeout_seconds = 5, options }), HttpStatusCode.BadRequest);
        var errors = created.GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "options.5.id", "options.#.id" }), created.ToString());
        Assert.That(errors.GetProperty("options.5.id")[0].GetString(), Is.EqualTo("'id' must be empty for a HANGUP destination."));

        var ivr = await Expect(await Create(new { name = Unique("p"), greeting = "g", timeout_seconds = 5 }), HttpStatusCode.Created);
        var patched = await Problems.FieldErrorsAsync(await Patch(_admin.Client, $"/api/v1/ivrs/{ivr.GetProperty("id").GetGuid()}",
            new { options = new Dictionary<string, object> { ["0"] = new { type = "HANGUP" }, ["*"] = new { type = "QUEUE" } } }), "options.*.id");
        Assert.That(patched, Is.EqualTo(new[] { "'id' is required for USER, IVR and QUEUE destinations." }));
    }

    [Test]
    public async Task A_null_option_is_a_400_that_names_its_key()
    {
        var errors = await Problems.FieldErrorsAsync(await SendJson(_admin.Client, HttpMethod.Post, "/api/v1/ivrs",
            $"{{\"name\":\"{Unique("n")}\",\"greeting\":\"g\",\"timeout_seconds\":5,\"options\":{{\"7\":null}}}}"), "options.7");
        Assert.That(errors, Has.Some.EqualTo("Option '7' must be a destination (you sent null)."));
    }

    [Test]
    public async Task Hangup_with_an_id_and_user_without_one_are_400s()
    {
        var hangup = await Problems.FieldErrorsAsync(await Create(new { name = Unique("h"), greeting = "g", timeout_seconds = 5, timeout_destination = new { type = "HANGUP", id = _alice.Id } }), "timeout_destination.id");
        var user = await Problems.FieldErrorsAsync(await Create(new { name = Unique("h"), greeting = "g", timeout_seconds = 5, timeout_destination = new { type = "USER" } }), "timeout_destination.id");
        Assert.That(hangup, Is.EqualTo(new[] { "'id' must be empty for a HANGUP destination." }));
        Assert.That(user, Is.EqualTo(new[] { "'id' is required for USER, IVR and QUEUE destinations." }));
    }

    [TestCase("Main")]
    [TestCase("main menu")]
    [TestCase("main\n[evil]")]
    public async Task Name_outside_the_pattern_is_a_400(string name) =>
        await Problems.FieldErrorsAsync(await Create(new { name, greeting = "g", timeout_seconds = 5 }), "name");

    [TestCase("../../etc/passwd")]
    [TestCase("/etc/passwd")]
    [TestCase("hello world")]
    [TestCase("x,1)")]
    public async Task Greeting_that_is_not_a_plain_sound_name_is_a_400(string greeting) =>
        await Problems.FieldErrorsAsync(await Create(new { name = Unique("g"), greeting, timeout_seconds = 5 }), "greeting");

    [TestCase(0)]
    [TestCase(61)]
    public async Task Timeout_outside_1_to_60_is_a_400(int timeout) =>
        Assert.That(await Problems.FieldErrorsAsync(await Create(new { name = Unique("t"), greeting = "g", timeout_seconds = timeout }), "timeout_seconds"),
            Has.Some.Contain("1").And.Some.Contain("60"));

    [Test]
    public async Task Duplicate_name_in_a_tenant_is_a_409()
    {
        var name = Unique("dup");
        await Expect(await Create(new { name, greeting = "g", timeout_seconds = 5 }), HttpStatusCode.Created);
        var body = await Expect(await Create(new { name, greeting = "g", timeout_seconds = 5 }), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo($"An IVR named '{name}' already exists in the tenant."));
    }

    [Test]
    public async Task Platform_admin_must_name_the_tenant_and_tenant_admin_only_its_own()
    {
        var body = await Expect(await Create(new { name = Unique("p"), greeting = "g", timeout_seconds = 5 }, Admin), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("tenant_id")[0].GetString(), Does.Contain("required"));
        await Expect(await Create(new { name = Unique("p"), greeting = "g", timeout_seconds = 5, tenant_id = _other.Id }, Admin), HttpStatusCode.Created);
        await Expect(await Create(new { name = Unique("p"), greeting = "g", timeout_seconds = 5, tenant_id = _other.Id }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Another_tenants_ivr_is_a_404_and_missing_from_lists()
    {
        var theirs = await Expect(await Create(new { name = Unique("o"), greeting = "g", timeout_seconds = 5, tenant_id = _other.Id }, Admin), HttpStatusCode.Created);
        var id = theirs.GetProperty("id").GetGuid();
        await Expect(await _admin.Client.GetAsync($"/api/v1/ivrs/{id}"), HttpStatusCode.NotFound);
        await Expect(await Patch(_admin.Client, $"/api/v1/ivrs/{id}", new { greeting = "x" }), HttpStatusCode.NotFound);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/ivrs/{id}"), HttpStatusCode.NotFound);
        var list = await Expect(await _admin.Client.GetAsync($"/api/v1/ivrs?tenant_id={_other.Id}"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("total").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task Patch_with_options_replaces_all_keys()
    {
        var created = await Expect(await Create(new { name = Unique("r"), greeting = "g", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["1"] = new { type = "HANGUP" }, ["2"] = new { type = "HANGUP" } } }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var body = await Expect(await Patch(_admin.Client, $"/api/v1/ivrs/{id}", new
        {
            options = new Dictionary<string, object> { ["9"] = new { type = "IVR", id } },
            invalid_destination = new { type = "USER", id = _alice.Id },
        }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("options").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "9" }));
        Assert.That(body.GetProperty("invalid_destination").GetProperty("id").GetGuid(), Is.EqualTo(_alice.Id));
        Assert.That(body.GetProperty("greeting").GetString(), Is.EqualTo("g"));
    }

    [Test]
    public async Task Deleting_an_ivr_another_ivr_sends_to_is_a_409_naming_it()
    {
        var target = await Expect(await Create(new { name = Unique("target"), greeting = "g", timeout_seconds = 5 }), HttpStatusCode.Created);
        var targetId = target.GetProperty("id").GetGuid();
        var menuName = Unique("menu");
        await Expect(await Create(new { name = menuName, greeting = "g", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["0"] = new { type = "IVR", id = targetId } } }), HttpStatusCode.Created);
        var body = await Expect(await _admin.Client.DeleteAsync($"/api/v1/ivrs/{targetId}"), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(menuName));
    }

    [Test]
    public async Task Deleting_an_unused_ivr_removes_it_and_is_audited()
    {
        var created = await Expect(await Create(new { name = Unique("gone"), greeting = "g", timeout_seconds = 5 }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/ivrs/{id}"), HttpStatusCode.NoContent);
        await Expect(await _admin.Client.GetAsync($"/api/v1/ivrs/{id}"), HttpStatusCode.NotFound);
        var audit = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_type=IVR&entity_id={id}"), HttpStatusCode.OK);
        Assert.That(audit.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("action").GetString()), Is.EqualTo(new[] { "DELETE", "CREATE" }));
    }

    [Test]
    public async Task Support_reads_but_cannot_change()
    {
        var support = await CreateUserAsync("SUPPORT", null);
        await Expect(await support.Client.GetAsync("/api/v1/ivrs"), HttpStatusCode.OK);
        await Expect(await Create(new { name = Unique("s"), greeting = "g", timeout_seconds = 5, tenant_id = _tenant.Id }, support.Client), HttpStatusCode.Forbidden);
    }
}
