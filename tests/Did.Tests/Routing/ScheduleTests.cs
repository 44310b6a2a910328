using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>Schedules through the API: what is stored is what was sent, every field rule is a 400 naming the field and
/// stores nothing, another tenant's schedule is a 404, and a schedule that rules test cannot be deleted.</summary>
public sealed class ScheduleTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestTenant _other = null!;
    private TestUser _admin = null!;

    [OneTimeSetUp]
    public async Task Tenants()
    {
        _tenant = await CreateTenantAsync();
        _other = await CreateTenantAsync();
        _admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
    }

    private Task<HttpResponseMessage> Create(object body, HttpClient? by = null) => (by ?? _admin.Client).PostAsJsonAsync("/api/v1/schedules", body);

    private Task<HttpResponseMessage> CreateJson(string json) => SendJson(_admin.Client, HttpMethod.Post, "/api/v1/schedules", json);

    /// <summary>The issue's example: weekdays 09:00-17:30, Saturday night past midnight, Christmas Day and New Year.</summary>
    private static Dictionary<string, object?> Office(string name, Guid? tenantId = null) => new()
    {
        ["name"] = name,
        ["timezone"] = "America/New_York",
        ["open"] = new object[]
        {
            new { days = new[] { "MON", "TUE", "WED", "THU", "FRI" }, from = "09:00", to = "17:30" },
            new { days = new[] { "SAT" }, from = "22:00", to = "02:00" },
        },
        ["closed_dates"] = new object[]
        {
            new { date = "2026-12-25", name = "Christmas Day" },
            new { from = "2026-12-31", to = "2027-01-02", name = "New Year" },
        },
        ["tenant_id"] = tenantId,
    };

    /// <summary>A body of the given schedule with one opening interval.</summary>
    private static object Hours(string name, object interval) =>
        new { name, timezone = "UTC", open = new[] { interval } };

    private static object Closed(string name, object closed) =>
        new { name, timezone = "UTC", closed_dates = new[] { closed } };

    private async Task<long> SchedulesOfAsync(Guid tenantId)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM schedules WHERE tenant_id = @tenantId", new { tenantId });
    }

    private static bool SameJson(JsonElement a, JsonElement b) => JsonNode.DeepEquals(JsonNode.Parse(a.GetRawText()), JsonNode.Parse(b.GetRawText()));

    [Test]
    public async Task Tenant_admin_creates_a_schedule_in_its_tenant_and_reads_it_back_as_sent()
    {
        var name = Unique("office");
        var created = await Expect(await Create(Office(name)), HttpStatusCode.Created);

        Assert.That(created.GetProperty("tenant_id").GetGuid(), Is.EqualTo(_tenant.Id));
        Assert.That(created.GetProperty("name").GetString(), Is.EqualTo(name));
        Assert.That(created.GetProperty("timezone").GetString(), Is.EqualTo("America/New_York"));
        var open = created.GetProperty("open");
        Assert.That(open[0].GetProperty("days").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "MON", "TUE", "WED", "THU", "FRI" }));
        Assert.That((open[0].GetProperty("from").GetString(), open[0].GetProperty("to").GetString()), Is.EqualTo(("09:00", "17:30")));
        Assert.That((open[1].GetProperty("from").GetString(), open[1].GetProperty("to").GetString()), Is.EqualTo(("22:00", "02:00")));
        var closed = created.GetProperty("closed_dates");
        Assert.That(closed[0].GetProperty("date").GetString(), Is.EqualTo("2026-12-25"));
        Assert.That(closed[0].GetProperty("name").GetString(), Is.EqualTo("Christmas Day"));
        Assert.That(closed[0].GetProperty("from").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That((closed[1].GetProperty("from").GetString(), closed[1].GetProperty("to").GetString()), Is.EqualTo(("2026-12-31", "2027-01-02")));
        Assert.That(closed[1].GetProperty("date").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var read = await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{created.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
        Assert.That(SameJson(read, created), Is.True, $"GET answers what POST did: {read}");
    }

    [Test]
    public async Task Days_come_back_monday_first_a_one_day_period_as_a_date_and_an_end_of_00_00_as_24_00()
    {
        var body = await Expect(await Create(new
        {
            name = Unique("late"), timezone = "Europe/London",
            open = new[] { new { days = new[] { "SUN", "FRI", "MON" }, from = "18:00", to = "00:00" } },
            closed_dates = new[] { new { from = "2026-08-31", to = "2026-08-31", name = "Bank holiday" } },
        }), HttpStatusCode.Created);
        var open = body.GetProperty("open")[0];
        Assert.That(open.GetProperty("days").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "MON", "FRI", "SUN" }));
        Assert.That(open.GetProperty("to").GetString(), Is.EqualTo("24:00"), "the midnight that ends the day");
        Assert.That(body.GetProperty("closed_dates")[0].GetProperty("date").GetString(), Is.EqualTo("2026-08-31"));
    }

    [TestCase("00:00", "24:00")]
    [TestCase("22:00", "02:00")]
    [TestCase("23:59", "00:01")]
    public async Task Whole_days_and_intervals_past_midnight_are_accepted(string from, string to)
    {
        var body = await Expect(await Create(Hours(Unique("h"), new { days = new[] { "SAT" }, from, to })), HttpStatusCode.Created);
        Assert.That((body.GetProperty("open")[0].GetProperty("from").GetString(), body.GetProperty("open")[0].GetProperty("to").GetString()),
            Is.EqualTo((from, to)));
    }

    [TestCase("America/New_York")]
    [TestCase("Europe/London")]
    [TestCase("America/Argentina/Buenos_Aires")]
    [TestCase("Etc/GMT+5")]
    [TestCase("Etc/GMT-14")]
    [TestCase("US/Eastern")]
    [TestCase("UTC")]
    public async Task Iana_time_zones_are_accepted(string timezone) =>
        Assert.That((await Expect(await Create(new { name = Unique("z"), timezone }), HttpStatusCode.Created)).GetProperty("timezone").GetString(),
            Is.EqualTo(timezone));

    [TestCase("Mars/Olympus_Mons")]
    [TestCase("america/new_york")]
    [TestCase("Eastern Standard Time")]
    [TestCase("EST")]
    [TestCase("CET")]
    [TestCase("right/America/New_York")]
    [TestCase("posix/Europe/London")]
    [TestCase("../../etc/passwd")]
    [TestCase("America/New_York\n")]
    [TestCase("America/New_York,*,*,mon?evil")]
    [TestCase("America//New_York")]
    [TestCase("Etc//UTC")]
    [TestCase("America/Argentina//Buenos_Aires")]
    [TestCase("")]
    public async Task A_time_zone_that_is_not_an_iana_name_is_a_400_naming_it_and_stores_nothing(string timezone)
    {
        var before = await SchedulesOfAsync(_tenant.Id);
        var errors = await Problems.FieldErrorsAsync(await Create(new { name = Unique("z"), timezone }), "timezone");
        Assert.That(errors, Has.Some.Contains($"you sent '{timezone}'"));
        Assert.That(await SchedulesOfAsync(_tenant.Id), Is.EqualTo(before));
    }

    [TestCase("9:00", "17:00", "open[0].from")]
    [TestCase("24:00", "02:00", "open[0].from")]
    [TestCase("12:60", "13:00", "open[0].from")]
    [TestCase("09:00\n", "17:00", "open[0].from")]
    [TestCase(" 09:00", "17:00", "open[0].from")]
    [TestCase("0900", "1700", "open[0].from")]
    [TestCase("09:00", "24:01", "open[0].to")]
    [TestCase("09:00", "17:00:00", "open[0].to")]
    [TestCase("09:00", "5pm", "open[0].to")]
    [TestCase("09:00", "09:00", "open[0].to")]
    [TestCase("00:00", "00:00", "open[0].to")]
    public async Task A_time_that_is_not_hh_mm_or_an_empty_interval_is_a_400_naming_it(string from, string to, string field)
    {
        var before = await SchedulesOfAsync(_tenant.Id);
        await Problems.FieldErrorsAsync(await Create(Hours(Unique("t"), new { days = new[] { "MON" }, from, to })), field);
        Assert.That(await SchedulesOfAsync(_tenant.Id), Is.EqualTo(before));
    }

    [TestCase(new[] { "mon" }, "open[0].days[0]")]
    [TestCase(new[] { "MONDAY" }, "open[0].days[0]")]
    [TestCase(new[] { "SUN", "XYZ" }, "open[0].days[1]")]
    [TestCase(new[] { "MON", "MON" }, "open[0].days")]
    [TestCase(new string[0], "open[0].days")]
    public async Task Days_other_than_the_uppercase_names_once_each_are_a_400_naming_them(string[] days, string field) =>
        await Problems.FieldErrorsAsync(await Create(Hours(Unique("d"), new { days, from = "09:00", to = "17:00" })), field);

    [TestCase("""{"date":"2026-12-25","from":"2026-12-24","to":"2026-12-26","name":"x"}""", "closed_dates[0].date")]
    [TestCase("""{"from":"2026-12-24","name":"x"}""", "closed_dates[0].to")]
    [TestCase("""{"name":"x"}""", "closed_dates[0].from")]
    [TestCase("""{"from":"2026-12-26","to":"2026-12-24","name":"x"}""", "closed_dates[0].to")]
    [TestCase("""{"from":"2026-01-01","to":"2027-06-01","name":"x"}""", "closed_dates[0].to")]
    [TestCase("""{"date":"2026-02-30","name":"x"}""", "closed_dates[0].date")]
    [TestCase("""{"date":"26-12-25","name":"x"}""", "closed_dates[0].date")]
    [TestCase("""{"date":"2026-12-25T00:00:00Z","name":"x"}""", "closed_dates[0].date")]
    [TestCase("""{"date":"1999-12-31","name":"x"}""", "closed_dates[0].date")]
    [TestCase("""{"date":"2026-12-25","name":""}""", "closed_dates[0].name")]
    [TestCase("""{"date":"2026-12-25","name":"a\nb"}""", "closed_dates[0].name")]
    [TestCase("""{"date":"2026-12-25","name":"12345678901234567890123456789012345678901234567890123456789012345"}""", "closed_dates[0].name")]
    public async Task A_closed_date_needs_a_date_or_a_period_in_order_and_a_name(string closed, string field)
    {
        var before = await SchedulesOfAsync(_tenant.Id);
        await Problems.FieldErrorsAsync(await CreateJson($$"""{"name":"{{Unique("c")}}","timezone":"UTC","closed_dates":[{{closed}}]}"""), field);
        Assert.That(await SchedulesOfAsync(_tenant.Id), Is.EqualTo(before));
    }

    /// <summary>The rules that relate two values, or count them, name what was sent as every other rule does.</summary>
    [TestCase("""{"open":[{"days":["MON","MON"],"from":"09:00","to":"17:00"}]}""", "open[0].days", "(you sent MON, MON)")]
    [TestCase("""{"open":[{"days":[],"from":"09:00","to":"17:00"}]}""", "open[0].days", "(you sent 0)")]
    [TestCase("""{"open":[{"days":["MON"],"from":"09:00","to":"09:00"}]}""", "open[0].to", "(you sent '09:00' to '09:00')")]
    [TestCase("""{"closed_dates":[{"from":"2026-12-26","to":"2026-12-24","name":"x"}]}""", "closed_dates[0].to", "(you sent '2026-12-26' to '2026-12-24')")]
    [TestCase("""{"closed_dates":[{"from":"2026-01-01","to":"2027-06-01","name":"x"}]}""", "closed_dates[0].to", "(you sent '2026-01-01' to '2027-06-01')")]
    [TestCase("""{"closed_dates":[{"date":"2026-12-25","from":"2026-12-24","to":"2026-12-26","name":"x"}]}""", "closed_dates[0].date",
        "(you sent date '2026-12-25', from '2026-12-24', to '2026-12-26')")]
    public async Task A_rule_across_values_names_the_values_sent(string lists, string field, string named)
    {
        var json = $$"""{"name":"{{Unique("v")}}","timezone":"UTC",{{lists[1..]}}""";
        Assert.That(await Problems.FieldErrorsAsync(await CreateJson(json), field), Has.Some.EndsWith(named + "."));
    }

    [Test]
    public async Task Fifty_intervals_and_two_hundred_closed_dates_are_the_most_a_schedule_holds()
    {
        object Interval(int i) => new { days = new[] { "MON" }, from = ScheduleClock(i), to = ScheduleClock(i + 1) };
        object Day(int i) => new { date = new DateOnly(2026, 1, 1).AddDays(i).ToString("yyyy-MM-dd"), name = $"Day {i}" };

        var full = await Expect(await Create(new { name = Unique("full"), timezone = "UTC",
            open = Enumerable.Range(0, 50).Select(Interval), closed_dates = Enumerable.Range(0, 200).Select(Day) }), HttpStatusCode.Created);
        Assert.That((full.GetProperty("open").GetArrayLength(), full.GetProperty("closed_dates").GetArrayLength()), Is.EqualTo((50, 200)));

        Assert.That(await Problems.FieldErrorsAsync(await Create(new { name = Unique("o"), timezone = "UTC", open = Enumerable.Range(0, 51).Select(Interval) }), "open"),
            Is.EqualTo(new[] { "'open' holds at most 50 intervals (you sent 51)." }));
        Assert.That(await Problems.FieldErrorsAsync(await Create(new { name = Unique("o"), timezone = "UTC", closed_dates = Enumerable.Range(0, 201).Select(Day) }), "closed_dates"),
            Is.EqualTo(new[] { "'closed_dates' holds at most 200 dates (you sent 201)." }));
    }

    /// <summary>HH:MM of the i-th ten minutes after 08:00.</summary>
    private static string ScheduleClock(int i) => TimeSpan.FromMinutes(480 + 10 * i).ToString(@"hh\:mm");

    [TestCase("""{"name":"n","timezone":"UTC","open_hours":[]}""", "open_hours")]
    [TestCase("""{"name":"n","timezone":"UTC","open":[{"days":["MON"],"from":"09:00","to":"17:00","until":"18:00"}]}""", "until")]
    [TestCase("""{"name":"n","timezone":"UTC","closed_dates":[{"date":"2026-12-25","name":"x","year":2026}]}""", "year")]
    public async Task Unknown_properties_are_refused_at_any_depth(string json, string property)
    {
        var body = await Expect(await CreateJson(json.Replace("\"n\"", $"\"{Unique("u")}\"")), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(property));
    }

    [Test]
    public async Task A_patch_naming_the_schedule_s_id_is_a_400_and_changes_nothing()
    {
        var created = await Expect(await Create(Office(Unique("i"))), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var refused = await Expect(await SendJson(_admin.Client, HttpMethod.Patch, $"/api/v1/schedules/{id}",
            $$"""{"id":"{{Guid.NewGuid()}}","timezone":"UTC"}"""), HttpStatusCode.BadRequest);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("'id'"));
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{id}"), HttpStatusCode.OK);
        Assert.That(SameJson(after, created), Is.True);
    }

    [Test]
    public async Task A_property_sent_twice_is_a_400_naming_it_and_changes_nothing()
    {
        var created = await Expect(await Create(Office(Unique("d"))), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var refused = await Expect(await SendJson(_admin.Client, HttpMethod.Patch, $"/api/v1/schedules/{id}",
            """{"open":[{"days":["MON"],"from":"09:00","to":"17:00"}],"open":[]}"""), HttpStatusCode.BadRequest);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("'open'"));
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{id}"), HttpStatusCode.OK);
        Assert.That(SameJson(after, created), Is.True, "the second 'open' did not empty the hours");
    }

    [TestCase("Office Hours")]
    [TestCase("office_hours")]
    [TestCase("office\n[evil]")]
    [TestCase("a-name-that-is-longer-than-forty-characters")]
    public async Task A_name_outside_the_pattern_is_a_400(string name) =>
        await Problems.FieldErrorsAsync(await Create(new { name, timezone = "UTC" }), "name");

    [Test]
    public async Task A_name_is_unique_within_a_tenant_only()
    {
        var name = Unique("dup");
        await Expect(await Create(new { name, timezone = "UTC" }), HttpStatusCode.Created);
        var again = await Expect(await Create(new { name, timezone = "UTC" }), HttpStatusCode.Conflict);
        Assert.That(again.GetProperty("detail").GetString(), Is.EqualTo($"A schedule named '{name}' already exists in the tenant."));
        await Expect(await Create(new { name, timezone = "UTC", tenant_id = _other.Id }, Admin), HttpStatusCode.Created);
    }

    [Test]
    public async Task A_platform_admin_names_the_tenant_and_a_tenant_admin_cannot_name_another()
    {
        var missing = await Problems.FieldErrorsAsync(await Create(new { name = Unique("p"), timezone = "UTC" }, Admin), "tenant_id");
        Assert.That(missing, Is.EqualTo(new[] { "'tenant_id' is required when a platform admin acts for a tenant." }));
        var made = await Expect(await Create(new { name = Unique("p"), timezone = "UTC", tenant_id = _other.Id }, Admin), HttpStatusCode.Created);
        Assert.That(made.GetProperty("tenant_id").GetGuid(), Is.EqualTo(_other.Id));
        await Expect(await Create(new { name = Unique("p"), timezone = "UTC", tenant_id = _other.Id }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Another_tenants_schedule_is_a_404_like_a_missing_one_and_missing_from_lists()
    {
        var theirs = await Expect(await Create(Office(Unique("theirs"), _other.Id), Admin), HttpStatusCode.Created);
        var id = theirs.GetProperty("id").GetGuid();
        var missing = await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        var read = await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{id}"), HttpStatusCode.NotFound);
        Assert.That(read.GetProperty("title").GetString(), Is.EqualTo(missing.GetProperty("title").GetString()));
        await Expect(await Patch(_admin.Client, $"/api/v1/schedules/{id}", new { timezone = "UTC" }), HttpStatusCode.NotFound);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/schedules/{id}"), HttpStatusCode.NotFound);
        var list = await Expect(await _admin.Client.GetAsync($"/api/v1/schedules?tenant_id={_other.Id}"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("items").GetArrayLength(), Is.Zero);

        var after = await Expect(await Admin.GetAsync($"/api/v1/schedules/{id}"), HttpStatusCode.OK);
        Assert.That(SameJson(after, theirs), Is.True, "the refused PATCH and DELETE changed nothing");
    }

    [Test]
    public async Task The_list_pages_by_cursor_through_the_tenants_schedules_in_name_order()
    {
        var tenant = await CreateTenantAsync();
        var names = new[] { "c-late", "a-early", "b-day" };
        foreach (var name in names) await Expect(await Create(new { name, timezone = "UTC", tenant_id = tenant.Id }, Admin), HttpStatusCode.Created);

        var first = await Expect(await Admin.GetAsync($"/api/v1/schedules?tenant_id={tenant.Id}&page_size=2"), HttpStatusCode.OK);
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = await Expect(await Admin.GetAsync($"/api/v1/schedules?tenant_id={tenant.Id}&page_size=2&cursor={cursor}"), HttpStatusCode.OK);
        var seen = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("name").GetString());
        Assert.That(seen, Is.EqualTo(names.Order()));
        Assert.That(first.GetProperty("total").GetInt64(), Is.EqualTo(3));
        Assert.That(second.GetProperty("next_cursor").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Patch_replaces_the_lists_it_is_sent_and_keeps_the_rest()
    {
        var created = await Expect(await Create(Office(Unique("p"))), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();

        var patched = await Expect(await Patch(_admin.Client, $"/api/v1/schedules/{id}",
            new { timezone = "Europe/Paris", open = new[] { new { days = new[] { "SUN" }, from = "10:00", to = "12:00" } } }), HttpStatusCode.OK);
        Assert.That(patched.GetProperty("timezone").GetString(), Is.EqualTo("Europe/Paris"));
        Assert.That(patched.GetProperty("open").GetArrayLength(), Is.EqualTo(1));
        Assert.That(patched.GetProperty("open")[0].GetProperty("days")[0].GetString(), Is.EqualTo("SUN"));
        Assert.That(SameJson(patched.GetProperty("closed_dates"), created.GetProperty("closed_dates")), Is.True, "closed_dates were not sent");
        Assert.That(patched.GetProperty("name").GetString(), Is.EqualTo(created.GetProperty("name").GetString()));

        var emptied = await Expect(await Patch(_admin.Client, $"/api/v1/schedules/{id}", new { closed_dates = Array.Empty<object>() }), HttpStatusCode.OK);
        Assert.That(emptied.GetProperty("closed_dates").GetArrayLength(), Is.Zero);
        Assert.That(emptied.GetProperty("open").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_refused_patch_changes_nothing()
    {
        var created = await Expect(await Create(Office(Unique("r"))), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        await Problems.FieldErrorsAsync(await Patch(_admin.Client, $"/api/v1/schedules/{id}",
            new { name = Unique("renamed"), open = new[] { new { days = new[] { "MON" }, from = "09:00", to = "09:00" } } }), "open[0].to");
        await Problems.FieldErrorsAsync(await Patch(_admin.Client, $"/api/v1/schedules/{id}", new { timezone = "Mars/Base" }), "timezone");
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{id}"), HttpStatusCode.OK);
        Assert.That(SameJson(after, created), Is.True);
    }

    [Test]
    public async Task Deleting_a_schedule_that_rules_test_is_a_409_listing_the_numbers_and_works_once_they_stop()
    {
        var schedule = await Expect(await Create(Office(Unique("used"))), HttpStatusCode.Created);
        var id = schedule.GetProperty("id").GetGuid();
        var numbers = await SeedNumbersAsync(_tenant.Id, 2);
        object Route(bool ruled) => new
        {
            assigned_type = "EXTERNAL", assigned_value = "Hangup()",
            rules = ruled ? new[] { new { schedule_id = id, when = "CLOSED", destination = new { type = "EXTERNAL", value = "Busy()" } } } : null,
        };
        foreach (var n in numbers) await Expect(await _admin.Client.PostAsJsonAsync($"/api/v1/dids/{n.Id}/assign", Route(true)), HttpStatusCode.Created);

        var refused = await Expect(await _admin.Client.DeleteAsync($"/api/v1/schedules/{id}"), HttpStatusCode.Conflict);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain(numbers[0].Number).And.Contain(numbers[1].Number).And.Contain("2 number(s)"));
        Assert.That(refused.GetProperty("numbers").EnumerateArray().Select(n => n.GetString()), Is.EquivalentTo(numbers.Select(n => n.Number)));
        await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{id}"), HttpStatusCode.OK);

        await Expect(await _admin.Client.PutAsJsonAsync($"/api/v1/dids/{numbers[0].Id}/assign", Route(false)), HttpStatusCode.OK);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{numbers[1].Id}/assign"), HttpStatusCode.NoContent);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/schedules/{id}"), HttpStatusCode.NoContent);
        await Expect(await _admin.Client.GetAsync($"/api/v1/schedules/{id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_database_refuses_to_delete_a_schedule_that_rules_test()
    {
        var schedule = await Expect(await Create(Office(Unique("fk"))), HttpStatusCode.Created);
        var id = schedule.GetProperty("id").GetGuid();
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        await Expect(await _admin.Client.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new
        {
            assigned_type = "EXTERNAL", assigned_value = "Hangup()",
            rules = new[] { new { schedule_id = id, when = "OPEN", destination = new { type = "EXTERNAL", value = "Busy()" } } },
        }), HttpStatusCode.Created);
        await using var conn = await Db.OpenConnectionAsync();
        var error = Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("DELETE FROM schedules WHERE id = @id", new { id }));
        Assert.That(error!.ConstraintName, Is.EqualTo("fk_did_route_rules_schedule"));
    }

    [TestCase("INSERT INTO schedule_open_intervals VALUES (@id, @tenant, 0, 0, 540, 600)", "ck_schedule_open_intervals_days")]
    [TestCase("INSERT INTO schedule_open_intervals VALUES (@id, @tenant, 0, 1, 540, 540)", "ck_schedule_open_intervals_to")]
    [TestCase("INSERT INTO schedule_open_intervals VALUES (@id, @tenant, 50, 1, 540, 600)", "ck_schedule_open_intervals_position")]
    [TestCase("INSERT INTO schedule_open_intervals VALUES (@id, @other, 0, 1, 540, 600)", "fk_schedule_open_intervals_schedule")]
    [TestCase("INSERT INTO schedule_closed_dates VALUES (@id, @tenant, 200, '2026-12-25', '2026-12-25', 'x')", "ck_schedule_closed_dates_position")]
    [TestCase("INSERT INTO schedule_closed_dates VALUES (@id, @tenant, 0, '2026-12-26', '2026-12-25', 'x')", "ck_schedule_closed_dates_range")]
    [TestCase("INSERT INTO schedule_closed_dates VALUES (@id, @tenant, 0, '2026-12-25', '2026-12-25', E'a\\nb')", "ck_schedule_closed_dates_name")]
    [TestCase("UPDATE schedules SET timezone = 'America/New_York,*' WHERE id = @id", "ck_schedules_timezone")]
    public async Task The_database_backs_every_schedule_rule(string sql, string constraint)
    {
        var id = (await Expect(await Create(new { name = Unique("db"), timezone = "UTC" }), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await using var conn = await Db.OpenConnectionAsync();
        var error = Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(sql, new { id, tenant = _tenant.Id, other = _other.Id }));
        Assert.That(error!.ConstraintName, Is.EqualTo(constraint));
    }
}
