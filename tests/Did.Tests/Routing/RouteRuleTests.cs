using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>A number's route with rules, a failover and a ring time: stored and shown as sent, every destination
/// checked as the default one is, every rule refused with a 400 naming its JSON path, and nothing stored on a refusal.</summary>
public sealed class RouteRuleTests : ApiFixture
{
    private TestTenant _acme = null!;
    private TestTenant _other = null!;
    private TestUser _admin = null!;
    private TestUser _alice = null!;
    private TestUser _silent = null!;
    private TestUser _stranger = null!;
    private Guid _queue;
    private Guid _ivr;
    private Guid _office;
    private Guid _theirQueue;
    private Guid _theirIvr;
    private Guid _theirSchedule;

    [OneTimeSetUp]
    public async Task Tenants()
    {
        _acme = await CreateTenantAsync("acme");
        _other = await CreateTenantAsync("other");
        _admin = await CreateUserAsync("TENANT_ADMIN", _acme.Id);
        _alice = await CreateUserAsync("USER", _acme.Id, "1001");
        _silent = await CreateUserAsync("USER", _acme.Id);
        _stranger = await CreateUserAsync("USER", _other.Id, "1001");
        _queue = await CreateAsync("/api/v1/queues", QueueBodies.Create("support", _acme.Id));
        _ivr = await CreateAsync("/api/v1/ivrs", new { name = "main", greeting = "custom/welcome", timeout_seconds = 5, tenant_id = _acme.Id });
        _office = await CreateAsync("/api/v1/schedules", new { name = "office", timezone = "America/New_York", tenant_id = _acme.Id,
            open = new[] { new { days = new[] { "MON", "TUE", "WED", "THU", "FRI" }, from = "09:00", to = "17:30" } } });
        _theirQueue = await CreateAsync("/api/v1/queues", QueueBodies.Create("support", _other.Id));
        _theirIvr = await CreateAsync("/api/v1/ivrs", new { name = "main", greeting = "g", timeout_seconds = 5, tenant_id = _other.Id });
        _theirSchedule = await CreateAsync("/api/v1/schedules", new { name = "office", timezone = "UTC", tenant_id = _other.Id });
    }

    private async Task<Guid> CreateAsync(string url, object body) =>
        (await Expect(await Admin.PostAsJsonAsync(url, body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private Task<HttpResponseMessage> Assign(Guid number, object body, HttpClient? by = null) =>
        (by ?? _admin.Client).PostAsJsonAsync($"/api/v1/dids/{number}/assign", body);

    private Task<HttpResponseMessage> Replace(Guid number, object body) => _admin.Client.PutAsJsonAsync($"/api/v1/dids/{number}/assign", body);

    private Task<HttpResponseMessage> AssignJson(Guid number, string json) => SendJson(_admin.Client, HttpMethod.Post, $"/api/v1/dids/{number}/assign", json);

    /// <summary>The issue's example route: Alice by default, 20 s of ringing, the support queue as failover, and four rules.</summary>
    private object IssueRoute => new
    {
        assigned_type = "USER", assigned_id = _alice.Id, ring_seconds = 20,
        failover = new { type = "QUEUE", id = _queue },
        rules = new object[]
        {
            new { caller_id_prefix = "+44", destination = new { type = "QUEUE", id = _queue } },
            new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Hangup()" } },
            new { schedule_id = _office, when = "HOLIDAY", destination = new { type = "EXTERNAL", value = "Playback(custom/holiday)" } },
            new { schedule_id = _office, when = "CLOSED", destination = new { type = "IVR", id = _ivr } },
        },
    };

    /// <summary>A route to Alice with one rule, for tests about that rule.</summary>
    private object WithRule(object rule) => new { assigned_type = "USER", assigned_id = _alice.Id, rules = new[] { rule } };

    private async Task<(string Status, long Routes, long Rules)> StateOfAsync(Guid number)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return (await NumberStatusAsync(number),
            await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM did_assignments WHERE phone_number_id = @number", new { number }),
            await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM did_route_rules WHERE phone_number_id = @number", new { number }));
    }

    private static bool SameJson(JsonElement a, JsonElement b) => JsonNode.DeepEquals(JsonNode.Parse(a.GetRawText()), JsonNode.Parse(b.GetRawText()));

    private static void AssertDestination(JsonElement d, string type, Guid? id, string? value, string label)
    {
        Assert.That(d.GetProperty("type").GetString(), Is.EqualTo(type));
        Assert.That(d.GetProperty("id").ValueKind == JsonValueKind.Null ? (Guid?)null : d.GetProperty("id").GetGuid(), Is.EqualTo(id));
        Assert.That(d.GetProperty("value").ValueKind == JsonValueKind.Null ? null : d.GetProperty("value").GetString(), Is.EqualTo(value));
        Assert.That(d.GetProperty("label").GetString(), Is.EqualTo(label));
    }

    [Test]
    public async Task A_route_with_rules_a_failover_and_a_ring_time_is_answered_and_shown_as_sent()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var route = await Expect(await Assign(number.Id, IssueRoute), HttpStatusCode.Created);

        Assert.That(route.GetProperty("destination").GetString(), Is.EqualTo($"USER {_alice.Email} (1001)"));
        Assert.That(route.GetProperty("ring_seconds").GetInt32(), Is.EqualTo(20));
        AssertDestination(route.GetProperty("failover"), "QUEUE", _queue, null, "QUEUE support");
        var rules = route.GetProperty("rules");
        Assert.That(rules.GetArrayLength(), Is.EqualTo(4));
        Assert.That(rules[0].GetProperty("caller_id_prefix").GetString(), Is.EqualTo("+44"));
        AssertDestination(rules[0].GetProperty("destination"), "QUEUE", _queue, null, "QUEUE support");
        Assert.That(rules[1].GetProperty("caller_id").GetString(), Is.EqualTo("WITHHELD"));
        AssertDestination(rules[1].GetProperty("destination"), "EXTERNAL", null, "Hangup()", "EXTERNAL Hangup()");
        Assert.That((rules[2].GetProperty("schedule_id").GetGuid(), rules[2].GetProperty("schedule_name").GetString(), rules[2].GetProperty("when").GetString()),
            Is.EqualTo((_office, "office", "HOLIDAY")));
        AssertDestination(rules[2].GetProperty("destination"), "EXTERNAL", null, "Playback(custom/holiday)", "EXTERNAL Playback(custom/holiday)");
        Assert.That(rules[3].GetProperty("when").GetString(), Is.EqualTo("CLOSED"));
        AssertDestination(rules[3].GetProperty("destination"), "IVR", _ivr, null, "IVR main");
        Assert.That(rules[0].GetProperty("caller_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(rules[0].GetProperty("schedule_id").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var did = await Expect(await _admin.Client.GetAsync($"/api/v1/dids/{number.Id}"), HttpStatusCode.OK);
        Assert.That(SameJson(did.GetProperty("assignment"), route), Is.True, $"GET /dids/{{id}} shows the route as assign answered it: {did}");
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ASSIGNED", 1L, 4L)));
    }

    [Test]
    public async Task A_plain_route_has_no_ring_time_no_failover_and_no_rules()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var route = await Expect(await Assign(number.Id, new { assigned_type = "IVR", assigned_id = _ivr }), HttpStatusCode.Created);
        Assert.That(route.GetProperty("ring_seconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(route.GetProperty("failover").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(route.GetProperty("rules").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Put_replaces_the_rules_failover_and_ring_time_and_unassign_removes_them()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var first = await Expect(await Assign(number.Id, IssueRoute), HttpStatusCode.Created);

        var second = await Expect(await Replace(number.Id, new
        {
            assigned_type = "QUEUE", assigned_id = _queue,
            rules = new[] { new { caller_id_prefix = "+1555", destination = new { type = "USER", id = _alice.Id } } },
        }), HttpStatusCode.OK);
        Assert.That(second.GetProperty("id").GetGuid(), Is.EqualTo(first.GetProperty("id").GetGuid()), "a replace keeps the route's row");
        Assert.That(second.GetProperty("rules").GetArrayLength(), Is.EqualTo(1));
        Assert.That(second.GetProperty("failover").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(second.GetProperty("ring_seconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ASSIGNED", 1L, 1L)));
        var did = await Expect(await _admin.Client.GetAsync($"/api/v1/dids/{number.Id}"), HttpStatusCode.OK);
        Assert.That(SameJson(did.GetProperty("assignment"), second), Is.True, did.ToString());

        var plain = await Expect(await Replace(number.Id, new { assigned_type = "QUEUE", assigned_id = _queue }), HttpStatusCode.OK);
        Assert.That(plain.GetProperty("rules").GetArrayLength(), Is.Zero);
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ASSIGNED", 1L, 0L)));

        await Expect(await Replace(number.Id, IssueRoute), HttpStatusCode.OK);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{number.Id}/assign"), HttpStatusCode.NoContent);
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    /// <summary>"id" and "replace" are not the body's: the number comes from the route and POST or PUT decides whether the
    /// route is replaced. Sent in a body they are unknown properties (400 naming them), not silently dropped.</summary>
    [TestCase("id")]
    [TestCase("replace")]
    public async Task A_body_naming_the_route_s_own_id_or_replace_is_a_400_and_stores_nothing(string property)
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var value = property == "id" ? $"\"{Guid.NewGuid()}\"" : "true";
        var refused = await Expect(await AssignJson(number.Id,
            $$"""{"assigned_type":"USER","assigned_id":"{{_alice.Id}}","{{property}}":{{value}}}"""), HttpStatusCode.BadRequest);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain($"'{property}'"));
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [Test]
    public async Task A_property_sent_twice_at_any_depth_is_a_400_and_stores_nothing()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var twice = await Expect(await AssignJson(number.Id,
            $$"""{"assigned_type":"USER","assigned_id":"{{_alice.Id}}","assigned_type":"IVR"}"""), HttpStatusCode.BadRequest);
        Assert.That(twice.GetProperty("detail").GetString(), Does.Contain("'assigned_type'"));
        var deep = await Expect(await AssignJson(number.Id, $$$"""
            {"assigned_type":"USER","assigned_id":"{{{_alice.Id}}}",
             "rules":[{"caller_id_prefix":"+44","caller_id_prefix":"+1","destination":{"type":"QUEUE","id":"{{{_queue}}}"}}]}
            """), HttpStatusCode.BadRequest);
        Assert.That(deep.GetProperty("detail").GetString(), Does.Contain("'caller_id_prefix'"));
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [Test]
    public async Task External_actions_of_rules_and_failover_are_stored_as_normalized()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var route = await Expect(await Assign(number.Id, new
        {
            assigned_type = "USER", assigned_id = _alice.Id,
            failover = new { type = "EXTERNAL", value = "VoiceMail(1001)" },
            rules = new[] { new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Goto(tenant-acme-ivr-main,s,1)" } } },
        }), HttpStatusCode.Created);
        Assert.That(route.GetProperty("failover").GetProperty("value").GetString(), Is.EqualTo("VoiceMail(1001@tenant-acme)"));
        Assert.That(route.GetProperty("rules")[0].GetProperty("destination").GetProperty("value").GetString(), Is.EqualTo("Goto(acme_ivr_main,s,1)"));
        await using var conn = await Db.OpenConnectionAsync();
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT dest_value FROM did_route_rules WHERE phone_number_id = @id", new { id = number.Id }),
            Is.EqualTo("Goto(acme_ivr_main,s,1)"));
    }

    [TestCase("+44\"")]
    [TestCase("+44${SHELL(id)}")]
    [TestCase("+44)")]
    [TestCase("+44,1")]
    [TestCase("+44|1")]
    [TestCase("+44\n")]
    [TestCase("+44\r\nexten => _X.,1,System(id)")]
    [TestCase("+44 ")]
    [TestCase("44")]
    [TestCase("+")]
    [TestCase("+1234567890123456")]
    [TestCase("_+44.")]
    [TestCase("＋44")]
    [TestCase("+٤٤")]
    public async Task A_hostile_or_malformed_caller_id_prefix_is_a_400_naming_it_and_stores_nothing(string prefix)
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var errors = await Problems.FieldErrorsAsync(await Assign(number.Id, new
        {
            assigned_type = "USER", assigned_id = _alice.Id,
            rules = new[]
            {
                new { caller_id_prefix = "+1", destination = new { type = "USER", id = _alice.Id } },
                new { caller_id_prefix = prefix, destination = new { type = "USER", id = _alice.Id } },
            },
        }), "rules[1].caller_id_prefix");
        Assert.That(errors, Is.EqualTo(new[] { $"'caller_id_prefix' is + and 1 to 15 digits, e.g. +44 (you sent '{prefix}')." }));
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [TestCase("withheld")]
    [TestCase("ANONYMOUS")]
    [TestCase("+44")]
    [TestCase("WITHHELD\n")]
    public async Task A_caller_id_other_than_withheld_is_a_400_naming_it(string callerId) =>
        await Problems.FieldErrorsAsync(await Assign((await SeedNumbersAsync(_acme.Id))[0].Id,
            WithRule(new { caller_id = callerId, destination = new { type = "USER", id = _alice.Id } })), "rules[0].caller_id");

    [Test]
    public async Task Each_malformed_rule_is_a_400_naming_its_path()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var alice = new { type = "USER", id = _alice.Id };
        async Task<string[]> Refused(object rule, string field) => await Problems.FieldErrorsAsync(await Assign(number.Id, WithRule(rule)), field);

        Assert.That(await Refused(new { caller_id_prefix = "+44", caller_id = "WITHHELD", destination = alice }, "rules[0].caller_id"),
            Is.EqualTo(new[] { "A rule has at most one caller condition: caller_id_prefix or caller_id, not both." }));
        Assert.That(await Refused(new { schedule_id = _office, destination = alice }, "rules[0].when"),
            Is.EqualTo(new[] { "'when' (OPEN, CLOSED or HOLIDAY) is required with 'schedule_id'." }));
        Assert.That(await Refused(new { when = "OPEN", destination = alice }, "rules[0].schedule_id"),
            Is.EqualTo(new[] { "'schedule_id' is required with 'when'." }));
        Assert.That(await Refused(new { destination = alice }, "rules[0]"),
            Is.EqualTo(new[] { "rules[0] needs a condition: caller_id_prefix, caller_id, or schedule_id with when." }));
        Assert.That(await Refused(new { caller_id = "WITHHELD", destination = new { type = "USER" } }, "rules[0].destination.id"),
            Is.EqualTo(new[] { "'id' is required for USER, IVR and QUEUE destinations." }));
        Assert.That(await Refused(new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", id = _alice.Id, value = "Hangup()" } }, "rules[0].destination.id"),
            Is.EqualTo(new[] { "'id' must be empty for EXTERNAL destinations." }));
        Assert.That(await Refused(new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL" } }, "rules[0].destination.value"),
            Is.EqualTo(new[] { "'value' is required for EXTERNAL destinations." }));
        Assert.That(await Refused(new { caller_id = "WITHHELD", destination = new { type = "QUEUE", id = _queue, value = "x" } }, "rules[0].destination.value"),
            Is.EqualTo(new[] { "'value' is only for EXTERNAL destinations, and this one is QUEUE (you sent 'x')." }));
        Assert.That(await Refused(new { caller_id = "WITHHELD", destination = new { type = "USER", id = _alice.Id, value = "Dial(\n" + new string('x', 50) + ")" } },
                "rules[0].destination.value"),
            Is.EqualTo(new[] { $"'value' is only for EXTERNAL destinations, and this one is USER (you sent 'Dial(?{new string('x', 34)}...')." }),
            "echoed safely: control characters as '?', cut at 40 characters");
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [Test]
    public async Task A_rule_with_the_same_conditions_as_an_earlier_one_is_a_400()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var errors = await Problems.FieldErrorsAsync(await Assign(number.Id, new
        {
            assigned_type = "USER", assigned_id = _alice.Id,
            rules = new[]
            {
                new { caller_id_prefix = "+44", schedule_id = (Guid?)_office, when = (string?)"OPEN", destination = new { type = "QUEUE", id = _queue } },
                new { caller_id_prefix = "+44", schedule_id = (Guid?)null, when = (string?)null, destination = new { type = "QUEUE", id = _queue } },
                new { caller_id_prefix = "+44", schedule_id = (Guid?)_office, when = (string?)"OPEN", destination = new { type = "IVR", id = _ivr } },
            },
        }), "rules[2]");
        Assert.That(errors, Is.EqualTo(new[]
        {
            $"rules[2] has the same conditions as rules[0] (caller_id_prefix '+44', schedule_id {_office}, when OPEN), which is tried first, " +
            "so it could never decide.",
        }));
    }

    /// <summary>Rules are tried in order, so a rule whose every call an earlier rule takes never decides: a holiday greeting
    /// after a CLOSED rule on the same schedule (closed dates are CLOSED too), a +44 rule after a +4 rule, anything after
    /// OPEN and CLOSED rules on one schedule. Such a route is refused, naming the rules that take its calls, and nothing is
    /// stored.</summary>
    [Test]
    public async Task A_rule_whose_every_call_earlier_rules_take_is_a_400()
    {
        var holiday = new { type = "EXTERNAL", value = "Playback(custom/holiday)" };
        var queue = new { type = "QUEUE", id = _queue };
        async Task<string[]> RefusedAsync(object[] rules)
        {
            var number = (await SeedNumbersAsync(_acme.Id))[0];
            var errors = await Problems.FieldErrorsAsync(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id, rules }), $"rules[{rules.Length - 1}]");
            Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)), "nothing is stored");
            return errors;
        }

        Assert.That(await RefusedAsync([
                new { schedule_id = _office, when = "CLOSED", destination = queue },
                new { schedule_id = _office, when = "HOLIDAY", destination = holiday },
            ]),
            Is.EqualTo(new[]
            {
                $"rules[1] (schedule_id {_office}, when HOLIDAY) could never decide: rules[0] (schedule_id {_office}, when CLOSED) is tried " +
                "first and takes every call it matches.",
            }));
        Assert.That(await RefusedAsync([
                new { caller_id_prefix = "+4", destination = (object)holiday },
                new { caller_id_prefix = "+44", destination = (object)queue },
            ]),
            Is.EqualTo(new[]
            {
                "rules[1] (caller_id_prefix '+44') could never decide: rules[0] (caller_id_prefix '+4') is tried first and takes every call it matches.",
            }));
        Assert.That(await RefusedAsync([
                new { schedule_id = (Guid?)_office, when = (string?)"OPEN", caller_id_prefix = (string?)null, destination = (object)queue },
                new { schedule_id = (Guid?)_office, when = (string?)"CLOSED", caller_id_prefix = (string?)null, destination = (object)holiday },
                new { schedule_id = (Guid?)null, when = (string?)null, caller_id_prefix = (string?)"+44", destination = (object)queue },
            ]),
            Is.EqualTo(new[]
            {
                $"rules[2] (caller_id_prefix '+44') could never decide: rules[0] (schedule_id {_office}, when OPEN), rules[1] (schedule_id {_office}, " +
                "when CLOSED) are tried first and between them take every call it matches.",
            }));
    }

    /// <summary>The same conditions in the other order each decide for some call, and are kept.</summary>
    [Test]
    public async Task Rules_that_each_decide_for_some_call_are_kept_in_any_order()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new
        {
            assigned_type = "USER", assigned_id = _alice.Id,
            rules = new object[]
            {
                new { schedule_id = _office, when = "HOLIDAY", destination = new { type = "EXTERNAL", value = "Playback(custom/holiday)" } },
                new { caller_id_prefix = "+44", schedule_id = _office, when = "CLOSED", destination = new { type = "IVR", id = _ivr } },
                new { schedule_id = _office, when = "CLOSED", destination = new { type = "QUEUE", id = _queue } },
                new { caller_id_prefix = "+44", destination = new { type = "IVR", id = _ivr } },
                new { caller_id_prefix = "+4", destination = new { type = "QUEUE", id = _queue } },
                new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Hangup()" } },
            },
        }), HttpStatusCode.Created);
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ASSIGNED", 1L, 6L)));
    }

    [Test]
    public async Task Twenty_rules_are_the_most_a_number_has()
    {
        object Rule(int i) => new { caller_id_prefix = $"+{100 + i}", destination = new { type = "QUEUE", id = _queue } };
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id, rules = Enumerable.Range(0, 20).Select(Rule) }),
            HttpStatusCode.Created);
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ASSIGNED", 1L, 20L)));

        var other = (await SeedNumbersAsync(_acme.Id))[0];
        Assert.That(await Problems.FieldErrorsAsync(await Assign(other.Id,
                new { assigned_type = "USER", assigned_id = _alice.Id, rules = Enumerable.Range(0, 21).Select(Rule) }), "rules"),
            Is.EqualTo(new[] { "'rules' holds at most 20 rules (you sent 21)." }));
    }

    [TestCase("""{"assigned_type":"USER","assigned_id":"{alice}","rules":[{"caller_id":"WITHHELD","priority":1,"destination":{"type":"USER","id":"{alice}"}}]}""", "priority")]
    [TestCase("""{"assigned_type":"USER","assigned_id":"{alice}","failover":{"type":"USER","id":"{alice}","label":"x"}}""", "label")]
    [TestCase("""{"assigned_type":"USER","assigned_id":"{alice}","rules":[{"schedule_id":"{office}","when":"open","destination":{"type":"USER","id":"{alice}"}}]}""", "$.rules[0].when")]
    [TestCase("""{"assigned_type":"USER","assigned_id":"{alice}","rules":[{"caller_id":"WITHHELD","destination":{"type":"HANGUP"}}]}""", "$.rules[0].destination.type")]
    [TestCase("""{"assigned_type":"USER","assigned_id":"{alice}","ring_seconds":"20"}""", "$.ring_seconds")]
    public async Task Unknown_properties_and_values_of_the_wrong_kind_are_400s_that_say_where(string json, string where)
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var body = await Expect(await AssignJson(number.Id, json.Replace("{alice}", _alice.Id.ToString()).Replace("{office}", _office.ToString())),
            HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(where));
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [Test]
    public async Task Another_tenants_targets_and_schedule_are_refused_exactly_like_missing_ones()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        async Task<string[]> Refused(object body, string field, HttpClient? by = null) => await Problems.FieldErrorsAsync(await Assign(number.Id, body, by), field);
        var missing = Guid.NewGuid();
        foreach (var by in new[] { _admin.Client, Admin })
        {
            foreach (var (type, theirs, what) in new[] { ("USER", _stranger.Id, "User"), ("IVR", _theirIvr, "IVR"), ("QUEUE", _theirQueue, "Queue") })
            {
                Assert.That(await Refused(WithRule(new { caller_id = "WITHHELD", destination = new { type, id = theirs } }), "rules[0].destination.id", by),
                    Is.EqualTo(new[] { $"{what} {theirs} not found or not in your tenant." }));
                Assert.That(await Refused(WithRule(new { caller_id = "WITHHELD", destination = new { type, id = missing } }), "rules[0].destination.id", by),
                    Is.EqualTo(new[] { $"{what} {missing} not found or not in your tenant." }));
                Assert.That(await Refused(new { assigned_type = "USER", assigned_id = _alice.Id, failover = new { type, id = theirs } }, "failover.id", by),
                    Is.EqualTo(new[] { $"{what} {theirs} not found or not in your tenant." }));
            }
            Assert.That(await Refused(WithRule(new { schedule_id = _theirSchedule, when = "OPEN", destination = new { type = "USER", id = _alice.Id } }),
                "rules[0].schedule_id", by), Is.EqualTo(new[] { $"Schedule {_theirSchedule} not found or not in your tenant." }));
            Assert.That(await Refused(WithRule(new { schedule_id = missing, when = "OPEN", destination = new { type = "USER", id = _alice.Id } }),
                "rules[0].schedule_id", by), Is.EqualTo(new[] { $"Schedule {missing} not found or not in your tenant." }));
        }
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [Test]
    public async Task One_400_names_every_refused_destination_and_the_rule_of_the_first_refused_action()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var response = await Assign(number.Id, new
        {
            assigned_type = "USER", assigned_id = _alice.Id,
            failover = new { type = "EXTERNAL", value = "Goto(tenant-other,1001,1)" },
            rules = new object[]
            {
                new { caller_id = "WITHHELD", destination = new { type = "USER", id = _silent.Id } },
                new { caller_id_prefix = "+44", destination = new { type = "EXTERNAL", value = "System(rm -rf /)" } },
            },
        });
        Assert.That(await Problems.FieldErrorsAsync(response, "rules[0].destination.id"),
            Is.EqualTo(new[] { $"User {_silent.Id} has no extension, so calls cannot ring it." }));
        var body = await Expect(response, HttpStatusCode.BadRequest);
        var errors = body.GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "failover.value", "rules[0].destination.id", "rules[1].destination.value" }));
        Assert.That(body.GetProperty("rule").GetString(), Is.EqualTo("CROSS_TENANT_REFERENCE"));
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));
    }

    [TestCase(4)]
    [TestCase(601)]
    public async Task A_ring_time_outside_5_to_600_seconds_is_a_400(int seconds) =>
        Assert.That(await Problems.FieldErrorsAsync(await Assign((await SeedNumbersAsync(_acme.Id))[0].Id,
                new { assigned_type = "USER", assigned_id = _alice.Id, ring_seconds = seconds }), "ring_seconds"),
            Is.EqualTo(new[] { $"'ring_seconds' must be 5 to 600 seconds (you sent {seconds})." }));

    [Test]
    public async Task A_ring_time_or_failover_that_no_destination_uses_is_a_400()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        Assert.That(await Problems.FieldErrorsAsync(await Assign(number.Id, new { assigned_type = "IVR", assigned_id = _ivr, ring_seconds = 20 }), "ring_seconds"),
            Is.EqualTo(new[]
            {
                $"'ring_seconds' is how long a USER rings, and this route rings no user: neither its default (IVR {_ivr}) " +
                "nor a rule sends calls to a USER (you sent 20).",
            }));
        Assert.That(await Problems.FieldErrorsAsync(await Assign(number.Id, new
            {
                assigned_type = "IVR", assigned_id = _ivr, failover = new { type = "EXTERNAL", value = "Hangup()" },
                rules = new[] { new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Busy()" } } },
            }), "failover"),
            Is.EqualTo(new[]
            {
                $"'failover' takes the calls a USER or QUEUE does not, and this route has neither: neither its default (IVR {_ivr}) " +
                "nor a rule sends calls to a USER or QUEUE (you sent EXTERNAL 'Hangup()').",
            }));
        Assert.That(await Problems.FieldErrorsAsync(await Assign(number.Id, new { assigned_type = "IVR", assigned_id = _ivr, assigned_value = "Busy()" }),
                "assigned_value"),
            Is.EqualTo(new[] { "'assigned_value' is only for EXTERNAL, and assigned_type is IVR (you sent 'Busy()')." }));
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ALLOCATED", 0L, 0L)));

        var queued = await Expect(await Assign(number.Id, new
        {
            assigned_type = "IVR", assigned_id = _ivr, failover = new { type = "EXTERNAL", value = "Hangup()" },
            rules = new[] { new { caller_id_prefix = "+44", destination = new { type = "QUEUE", id = _queue } } },
        }), HttpStatusCode.Created);
        Assert.That(queued.GetProperty("failover").GetProperty("value").GetString(), Is.EqualTo("Hangup()"), "a rule's QUEUE uses the failover");
    }

    [Test]
    public async Task Deleting_what_a_rule_or_failover_sends_calls_to_is_a_409_naming_the_number()
    {
        var bob = await CreateUserAsync("USER", _acme.Id, "1102");
        var queue = await CreateAsync("/api/v1/queues", QueueBodies.Create(Unique("q"), _acme.Id));
        var ivr = await CreateAsync("/api/v1/ivrs", new { name = Unique("i"), greeting = "g", timeout_seconds = 5, tenant_id = _acme.Id });
        var numbers = await SeedNumbersAsync(_acme.Id, 3);
        await Expect(await Assign(numbers[0].Id, WithRule(new { caller_id = "WITHHELD", destination = new { type = "USER", id = bob.Id } })), HttpStatusCode.Created);
        await Expect(await Assign(numbers[1].Id, new { assigned_type = "USER", assigned_id = _alice.Id, failover = new { type = "QUEUE", id = queue } }),
            HttpStatusCode.Created);
        await Expect(await Assign(numbers[2].Id, WithRule(new { schedule_id = _office, when = "CLOSED", destination = new { type = "IVR", id = ivr } })),
            HttpStatusCode.Created);

        foreach (var (url, number) in new[] { ($"/api/v1/users/{bob.Id}", numbers[0]), ($"/api/v1/queues/{queue}", numbers[1]), ($"/api/v1/ivrs/{ivr}", numbers[2]) })
        {
            var refused = await Expect(await _admin.Client.DeleteAsync(url), HttpStatusCode.Conflict);
            Assert.That(refused.GetProperty("detail").GetString(), Does.Contain(number.Number), url);
            await Expect(await _admin.Client.GetAsync(url), HttpStatusCode.OK);
        }
        var extension = await Expect(await Patch(_admin.Client, $"/api/v1/users/{bob.Id}", new { extension = "" }), HttpStatusCode.Conflict);
        Assert.That(extension.GetProperty("detail").GetString(), Does.Contain(numbers[0].Number));
    }

    [Test]
    public async Task Fifty_concurrent_assigns_with_rules_give_one_201_one_set_of_rules_and_one_audit_row()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await Assign(number.Id, IssueRoute);
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(tasks);
        var codes = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.That(codes.Count(c => c == 201), Is.EqualTo(1), string.Join(",", codes));
        Assert.That(codes.Count(c => c == 409), Is.EqualTo(49), string.Join(",", codes));
        var winner = await Expect(responses.Single(r => r.StatusCode == HttpStatusCode.Created), HttpStatusCode.Created);
        var loser = await Expect(responses.First(r => r.StatusCode == HttpStatusCode.Conflict), HttpStatusCode.Conflict);
        Assert.That(SameJson(loser.GetProperty("assignment"), winner), Is.True, "a 409 names the route that won, rules included");
        Assert.That(await StateOfAsync(number.Id), Is.EqualTo(("ASSIGNED", 1L, 4L)));
        await using var conn = await Db.OpenConnectionAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_logs WHERE entity_id = @id", new { id = number.Id }), Is.EqualTo(1));
    }

    [Test]
    public async Task The_audit_rows_hold_the_rules_and_failover_before_and_after()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var assigned = await Expect(await Assign(number.Id, IssueRoute), HttpStatusCode.Created);
        var replaced = await Expect(await Replace(number.Id, WithRule(new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Busy()" } })),
            HttpStatusCode.OK);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{number.Id}/assign"), HttpStatusCode.NoContent);

        await using var conn = await Db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<(string Action, string? Before, string? After)>(
            "SELECT action, before::text, after::text FROM audit_logs WHERE entity_id = @id ORDER BY at, id", new { id = number.Id })).ToList();
        Assert.That(rows.Select(r => r.Action), Is.EqualTo(new[] { "ASSIGN", "REASSIGN", "UNASSIGN" }));
        bool Same(string? stored, JsonElement expected) => stored is not null && JsonNode.DeepEquals(JsonNode.Parse(stored), JsonNode.Parse(expected.GetRawText()));
        Assert.That(rows[0].Before, Is.Null);
        Assert.That(Same(rows[0].After, assigned), Is.True, rows[0].After);
        Assert.That(Same(rows[1].Before, assigned) && Same(rows[1].After, replaced), Is.True, $"{rows[1].Before} -> {rows[1].After}");
        Assert.That(Same(rows[2].Before, replaced), Is.True, rows[2].Before);
        Assert.That(JsonNode.Parse(rows[1].Before!)!["rules"]!.AsArray(), Has.Count.EqualTo(4));
    }

    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, schedule_id, schedule_when, dest_type, dest_value) VALUES (@number, @tenant, 1, @theirSchedule, 'OPEN', 'EXTERNAL', 'Hangup()')",
        "fk_did_route_rules_schedule")]
    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, caller_withheld, dest_type, dest_id) VALUES (@number, @tenant, 1, true, 'USER', @stranger)",
        "fk_did_route_rules_user")]
    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, dest_type, dest_value) VALUES (@number, @tenant, 1, 'EXTERNAL', 'Hangup()')",
        "ck_did_route_rules_condition")]
    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, caller_id_prefix, caller_withheld, dest_type, dest_value) VALUES (@number, @tenant, 1, '+44', true, 'EXTERNAL', 'Hangup()')",
        "ck_did_route_rules_one_caller_condition")]
    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, caller_id_prefix, dest_type, dest_value) VALUES (@number, @tenant, 1, '+44\"', 'EXTERNAL', 'Hangup()')",
        "ck_did_route_rules_caller_id_prefix")]
    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, caller_withheld, dest_type, dest_value) VALUES (@number, @tenant, 20, true, 'EXTERNAL', 'Hangup()')",
        "ck_did_route_rules_position")]
    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, schedule_id, dest_type, dest_value) VALUES (@number, @tenant, 1, @office, 'EXTERNAL', 'Hangup()')",
        "ck_did_route_rules_schedule")]
    [TestCase("INSERT INTO did_route_rules (phone_number_id, tenant_id, position, caller_withheld, dest_type, dest_value) VALUES (@number, @other, 1, true, 'EXTERNAL', 'Hangup()')",
        "fk_did_route_rules_route")]
    [TestCase("UPDATE did_assignments SET failover_type = 'QUEUE', failover_id = @theirQueue WHERE phone_number_id = @number", "fk_did_assignments_failover_queue")]
    [TestCase("UPDATE did_assignments SET failover_type = 'QUEUE' WHERE phone_number_id = @number", "ck_did_assignments_failover")]
    [TestCase("UPDATE did_assignments SET ring_seconds = 4 WHERE phone_number_id = @number", "ck_did_assignments_ring_seconds")]
    public async Task The_database_backs_every_rule_and_failover_check(string sql, string constraint)
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, WithRule(new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Busy()" } })), HttpStatusCode.Created);
        await using var conn = await Db.OpenConnectionAsync();
        var error = Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(sql, new
        {
            number = number.Id, tenant = _acme.Id, other = _other.Id, theirSchedule = _theirSchedule, stranger = _stranger.Id,
            office = _office, theirQueue = _theirQueue,
        }));
        Assert.That(error!.ConstraintName, Is.EqualTo(constraint));
    }
}
