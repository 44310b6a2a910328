using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Apply;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>GET /api/v1/routing/simulate over HTTP, against the fake switch's live files (LIVE) and the database rendered
/// now (PENDING): what it answers for each kind of route, who may ask for which number, and how it refuses bad input.
/// Routes with rules, schedules and failovers are walked end to end in SimulateRulesTests.</summary>
public sealed class SimulateTests : ApplyFixtureBase
{
    private static string Url(string number, string? extra = null) =>
        "/api/v1/routing/simulate?number=" + Uri.EscapeDataString(number) + (extra is null ? "" : "&" + extra);

    private async Task<JsonElement> SimulateAsync(string number, string? extra = null, HttpClient? by = null) =>
        await Expect(await (by ?? Admin).GetAsync(Url(number, extra)), HttpStatusCode.OK);

    private async Task<TestNumber> RouteAsync(object assignment)
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", assignment), HttpStatusCode.Created);
        return number;
    }

    private static (string Type, string? Id, string? Label, string? Value) Outcome(JsonElement body)
    {
        var o = body.GetProperty("outcome");
        string? Text(string name) => o.GetProperty(name).ValueKind == JsonValueKind.Null ? null : o.GetProperty(name).ToString();
        return (o.GetProperty("type").GetString()!, Text("id"), Text("label"), Text("value"));
    }

    private static List<string> Steps(JsonElement body) => body.GetProperty("steps").EnumerateArray()
        .Select(s => $"{s.GetProperty("context").GetString()},{s.GetProperty("extension").GetString()},{s.GetProperty("priority").GetInt32()}:{s.GetProperty("application").GetString()}")
        .ToList();

    [Test]
    public async Task Live_walks_the_deployed_file_to_the_user_that_answers()
    {
        var number = await RouteAsync(new { assigned_type = "USER", assigned_id = Alice.Id });
        var job = await ApplyOkAsync();

        var body = await SimulateAsync(number.Number, "caller_id=%2B442071234567&at=2026-12-25T15:00:00Z");

        Assert.That(Outcome(body), Is.EqualTo(("USER", Alice.Id.ToString(), $"{Alice.Email} (1001)", (string?)null)));
        Assert.That(Steps(body)[0], Is.EqualTo($"from-trunk-external,{number.Number},1:Goto"));
        Assert.That(Steps(body)[^1], Is.EqualTo("tenant-acme,1001,1:Dial"));
        Assert.That((body.GetProperty("source").GetString(), body.GetProperty("end").GetString(), body.GetProperty("failover").GetBoolean()),
            Is.EqualTo(("LIVE", "ANSWERED", false)));
        Assert.That(body.GetProperty("rule").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That((body.GetProperty("at").GetString(), body.GetProperty("dial_status").GetString(), body.GetProperty("caller_id").GetString()),
            Is.EqualTo(("2026-12-25T15:00:00+00:00", "ANSWER", "+442071234567")));
        var node = body.GetProperty("nodes").EnumerateArray().Single();
        Assert.That((node.GetProperty("name").GetString(), node.GetProperty("deployed").GetBoolean(), node.GetProperty("content_sha256").GetString()),
            Is.EqualTo(("asterisk", true, job.GetProperty("content_sha256").GetString())));
        Assert.That(body.GetProperty("nodes_differ").GetBoolean(), Is.False);
    }

    [Test]
    public async Task An_unanswered_user_ends_in_voicemail()
    {
        var number = await RouteAsync(new { assigned_type = "USER", assigned_id = Alice.Id });
        await ApplyOkAsync();

        var body = await SimulateAsync(number.Number, "dial_status=NOANSWER");

        Assert.That(Outcome(body).Type, Is.EqualTo("USER"));
        Assert.That(Steps(body).Select(s => s[(s.IndexOf(':') + 1)..]), Is.EqualTo(new[] { "Goto", "Goto", "Dial", "VoiceMail", "Hangup" }));
        Assert.That(body.GetProperty("steps")[2].GetProperty("note").GetString(), Is.EqualTo("DIALSTATUS=NOANSWER"));
        Assert.That(body.GetProperty("end").GetString(), Is.EqualTo("HUNG_UP"));
    }

    [Test]
    public async Task Live_shows_what_the_switch_runs_and_pending_what_the_next_apply_would()
    {
        await ApplyOkAsync();
        var ivr = await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs", new { name = Unique("menu"), greeting = "custom/hello", timeout_seconds = 5, tenant_id = Acme.Id }),
            HttpStatusCode.Created);
        var number = await RouteAsync(new { assigned_type = "IVR", assigned_id = ivr.GetProperty("id").GetGuid() });

        var live = await SimulateAsync(number.Number);
        var pending = await SimulateAsync(number.Number, "source=PENDING");

        Assert.That(Outcome(live), Is.EqualTo(("FALLBACK", (string?)null, (string?)null, "Congestion()")), "not deployed yet");
        Assert.That(Outcome(pending), Is.EqualTo(("IVR", ivr.GetProperty("id").GetGuid().ToString(), ivr.GetProperty("name").GetString(), (string?)null)));
        Assert.That((pending.GetProperty("source").GetString(), pending.GetProperty("end").GetString()), Is.EqualTo(("PENDING", "IN_IVR")));
        Assert.That(pending.GetProperty("nodes").GetArrayLength(), Is.Zero);
        Assert.That(Directory.EnumerateFileSystemEntries(WorkDir, "*", SearchOption.AllDirectories).Where(f => f.Contains("simulate-")), Is.Empty,
            "the pending render leaves nothing behind");
    }

    [Test]
    public async Task A_queue_with_no_wait_limit_keeps_a_caller_nobody_answers()
    {
        var queue = await Expect(await Admin.PostAsJsonAsync("/api/v1/queues", QueueBodies.Create(Unique("q"), Acme.Id)), HttpStatusCode.Created);
        var number = await RouteAsync(new { assigned_type = "QUEUE", assigned_id = queue.GetProperty("id").GetGuid() });

        var body = await SimulateAsync(number.Number, "source=PENDING&dial_status=TIMEOUT");

        Assert.That(Outcome(body).Type, Is.EqualTo("QUEUE"));
        Assert.That(Outcome(body).Id, Is.EqualTo(queue.GetProperty("id").GetGuid().ToString()));
        Assert.That(body.GetProperty("end").GetString(), Is.EqualTo("IN_QUEUE"));
    }

    [Test]
    public async Task An_external_route_answers_its_action()
    {
        var number = await RouteAsync(new { assigned_type = "EXTERNAL", assigned_value = "Playback(custom/closed)" });

        var body = await SimulateAsync(number.Number, "source=PENDING");

        Assert.That(Outcome(body), Is.EqualTo(("EXTERNAL", (string?)null, (string?)null, "Playback(custom/closed)")));
    }

    [Test]
    public async Task A_number_nobody_is_assigned_gets_the_fallback_for_a_platform_role()
    {
        await ApplyOkAsync();
        var support = await CreateUserAsync("SUPPORT", null);

        var body = await SimulateAsync("+4930123456", by: support.Client);

        Assert.That(Outcome(body), Is.EqualTo(("FALLBACK", (string?)null, (string?)null, "Congestion()")));
        Assert.That(Steps(body), Is.EqualTo(new[] { "from-trunk-external,+4930123456,1:Congestion" }));
    }

    [Test]
    public async Task A_tenant_admin_simulates_its_own_numbers_and_gets_404_for_any_other()
    {
        await ApplyOkAsync();
        var mine = await RouteAsync(new { assigned_type = "USER", assigned_id = Alice.Id });
        var other = await CreateTenantAsync();
        var theirs = (await SeedNumbersAsync(other.Id))[0];

        var own = await SimulateAsync(mine.Number, "source=PENDING", AcmeAdmin.Client);
        var foreign = await AcmeAdmin.Client.GetAsync(Url(theirs.Number));
        var unknown = await AcmeAdmin.Client.GetAsync(Url("+4930123456"));

        Assert.That(Outcome(own).Id, Is.EqualTo(Alice.Id.ToString()));
        var foreignBody = await Expect(foreign, HttpStatusCode.NotFound);
        var unknownBody = await Expect(unknown, HttpStatusCode.NotFound);
        Assert.That(foreignBody.GetProperty("detail").GetString(), Is.EqualTo($"Number '{theirs.Number}' was not found."));
        Assert.That(unknownBody.GetProperty("detail").GetString(), Is.EqualTo("Number '+4930123456' was not found."));
    }

    [Test]
    public async Task A_user_may_not_simulate() =>
        await Expect(await Alice.Client.GetAsync(Url("+4930123456")), HttpStatusCode.Forbidden);

    [TestCase("\"+44\" = \"+44\"")]
    [TestCase("${SHELL(reboot)}")]
    [TestCase("+1,212|555\n0100)")]
    public async Task A_hostile_caller_id_is_walked_as_text(string caller)
    {
        var number = await RouteAsync(new { assigned_type = "USER", assigned_id = Alice.Id });

        var hostile = await SimulateAsync(number.Number, "source=PENDING&caller_id=" + Uri.EscapeDataString(caller));
        var none = await SimulateAsync(number.Number, "source=PENDING");

        Assert.That(Outcome(hostile), Is.EqualTo(Outcome(none)));
        Assert.That(Steps(hostile), Is.EqualTo(Steps(none)));
        Assert.That(hostile.GetProperty("caller_id").GetString(), Is.EqualTo(caller));
    }

    [TestCase("", "number")]
    [TestCase("number=%2B12125550100&caller_id=%2B44%00123", "caller_id")]
    [TestCase("number=15551230001", "number")]
    [TestCase("number=%2B1555%0A", "number")]
    [TestCase("number=%2B15551230001&at=2026-12-25", "at")]
    [TestCase("number=%2B15551230001&at=2026-12-25T15:00:00", "at")]
    [TestCase("number=%2B15551230001&at=2026-12-25T15:00Z", "at")]
    [TestCase("number=%2B15551230001&at=2026-02-30T15:00:00Z", "at")]
    [TestCase("number=%2B15551230001&at=1969-12-31T23:59:59Z", "at")]
    [TestCase("number=%2B15551230001&at=0001-01-01T00:00:00Z", "at")]
    public async Task Bad_input_is_a_400_naming_the_field(string query, string field)
    {
        var response = await Admin.GetAsync("/api/v1/routing/simulate?" + query);

        await Problems.FieldErrorsAsync(response, field);
    }

    [TestCase("dial_status=MAYBE", "dial_status")]
    [TestCase("source=YESTERDAY", "source")]
    public async Task An_unknown_value_is_a_400_naming_the_parameter_and_the_value(string extra, string parameter)
    {
        var body = await Expect(await Admin.GetAsync(Url("+15551230001", extra)), HttpStatusCode.BadRequest);

        Assert.That(body.GetProperty("detail").GetString(), Does.Contain($"'{parameter}'").And.Contain(extra.Split('=')[1]));
    }

    /// <summary>The rule is the list of values the parameter takes, as a body's enum refusal names them.</summary>
    [TestCase("dial_status=noanswer", "dial_status", "'noanswer'; it takes one of ANSWER, NOANSWER, BUSY, CHANUNAVAIL, CONGESTION, TIMEOUT, JOINEMPTY.")]
    [TestCase("source=pending", "source", "'pending'; it takes one of LIVE, PENDING.")]
    public async Task An_unknown_value_is_a_400_listing_the_values_the_parameter_takes(string extra, string parameter, string rule)
    {
        var errors = await Problems.FieldErrorsAsync(await Admin.GetAsync(Url("+15551230001", extra)), parameter);

        Assert.That(errors, Is.EqualTo(new[] { $"Parameter '{parameter}' has an invalid value {rule}" }));
    }

    [Test]
    public async Task A_caller_id_longer_than_256_characters_is_refused() =>
        await Problems.FieldErrorsAsync(await Admin.GetAsync(Url("+15551230001", "caller_id=" + new string('1', 257))), "caller_id");

    /// <summary>Binding would join the two into "+44,2", a caller nobody sent (filtered: +442, a UK caller).</summary>
    [TestCase("caller_id=%2B44&caller_id=2", "caller_id")]
    [TestCase("caller_id=%2B44&CALLER_ID=2", "caller_id")]
    [TestCase("at=2026-12-25T15:00:00Z&at=2026-12-26T15:00:00Z", "at")]
    public async Task A_parameter_given_twice_is_a_400_naming_it(string extra, string parameter)
    {
        var body = await Expect(await Admin.GetAsync(Url("+15551230001", extra)), HttpStatusCode.BadRequest);

        Assert.That(body.GetProperty("detail").GetString(), Does.Contain($"'{parameter}'"));
        Assert.That(body.GetProperty("errors").EnumerateObject().Select(e => e.Name.ToLowerInvariant()), Is.EqualTo(new[] { parameter }));
    }

    [Test]
    public async Task An_unknown_query_parameter_is_refused() =>
        await Expect(await Admin.GetAsync(Url("+15551230001", "callerid=1")), HttpStatusCode.BadRequest);
}

/// <summary>Two switches whose live files differ: the answer says so and walks each.</summary>
public sealed class SimulateTwoNodeTests : ApplyFixtureBase
{
    protected override int NodeCount => 2;

    [Test]
    public async Task Nodes_whose_live_files_differ_are_named_with_where_the_call_ends_on_each()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }), HttpStatusCode.Created);
        await ApplyOkAsync();
        var stale = Path.Combine(ConfigDirs[1], "extensions_custom.conf");
        File.WriteAllText(stale, File.ReadAllText(stale).Replace($"exten => {number.Number},1,Goto(tenant-acme,1001,1)\n", ""));

        var body = await Expect(await Admin.GetAsync("/api/v1/routing/simulate?number=" + Uri.EscapeDataString(number.Number)), HttpStatusCode.OK);

        Assert.That(body.GetProperty("nodes_differ").GetBoolean(), Is.True);
        Assert.That(body.GetProperty("outcome").GetProperty("type").GetString(), Is.EqualTo("USER"), "the first node answers");
        var nodes = body.GetProperty("nodes").EnumerateArray().ToList();
        Assert.That(nodes.Select(n => (n.GetProperty("name").GetString(), n.GetProperty("same_as_first").GetBoolean(), n.GetProperty("outcome").GetProperty("type").GetString())),
            Is.EqualTo(new[] { ("node0", true, "USER"), ("node1", false, "FALLBACK") }));
    }

    [Test]
    public async Task Live_before_any_deploy_is_a_409_that_points_to_pending()
    {
        foreach (var dir in ConfigDirs) File.Delete(Path.Combine(dir, "extensions_custom.conf"));

        var body = await Expect(await Admin.GetAsync("/api/v1/routing/simulate?number=%2B15551230001"), HttpStatusCode.Conflict);

        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("source=PENDING"));
    }
}
