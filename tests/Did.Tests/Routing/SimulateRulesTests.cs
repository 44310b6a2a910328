using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Apply;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>The whole path of a route with rules: a schedule and a route made through the API, deployed by an apply,
/// and the simulator walking the live file to where the database says each call goes.</summary>
public sealed class SimulateRulesTests : ApplyFixtureBase
{
    private Guid _queue;
    private Guid _ivr;
    private TestNumber _number = null!;

    [SetUp]
    public async Task RouteWithRules()
    {
        var queue = QueueBodies.Create(Unique("support"), Acme.Id);
        queue["max_wait_seconds"] = 60;
        _queue = await CreateAsync("/api/v1/queues", queue);
        _ivr = await CreateAsync("/api/v1/ivrs", new { name = Unique("night"), greeting = "custom/closed", timeout_seconds = 5, tenant_id = Acme.Id });
        var office = await CreateAsync("/api/v1/schedules", new
        {
            name = Unique("office"), timezone = "America/New_York", tenant_id = Acme.Id,
            open = new[] { new { days = new[] { "MON", "TUE", "WED", "THU", "FRI" }, from = "09:00", to = "17:30" } },
            closed_dates = new[] { new { date = "2026-12-25", name = "Christmas Day" } },
        });
        _number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{_number.Id}/assign", new
        {
            assigned_type = "USER", assigned_id = Alice.Id, ring_seconds = 20,
            failover = new { type = "QUEUE", id = _queue },
            rules = new object[]
            {
                new { caller_id_prefix = "+44", destination = new { type = "QUEUE", id = _queue } },
                new { schedule_id = office, when = "HOLIDAY", destination = new { type = "EXTERNAL", value = "Playback(custom/holiday)" } },
                new { schedule_id = office, when = "CLOSED", destination = new { type = "IVR", id = _ivr } },
            },
        }), HttpStatusCode.Created);
        await ApplyOkAsync();
    }

    private async Task<Guid> CreateAsync(string url, object body) =>
        (await Expect(await Admin.PostAsJsonAsync(url, body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task<(string Type, string? Id, string? Value, int? Rule, bool Failover)> SimulateAsync(string query, string source = "LIVE")
    {
        var body = await Expect(await Admin.GetAsync(
            $"/api/v1/routing/simulate?number={Uri.EscapeDataString(_number.Number)}&source={source}&{query}"), HttpStatusCode.OK);
        var o = body.GetProperty("outcome");
        string? Text(string name) => o.GetProperty(name).ValueKind == JsonValueKind.Null ? null : o.GetProperty(name).ToString();
        var rule = body.GetProperty("rule");
        return (o.GetProperty("type").GetString()!, Text("id"), Text("value"), rule.ValueKind == JsonValueKind.Null ? null : rule.GetInt32(),
            body.GetProperty("failover").GetBoolean());
    }

    [Test]
    public async Task The_last_second_of_the_representable_range_in_a_zone_ahead_of_utc_is_a_400_never_a_500()
    {
        var kiritimati = await CreateAsync("/api/v1/schedules", new
        {
            name = Unique("line-islands"), timezone = "Pacific/Kiritimati", tenant_id = Acme.Id,
            open = new[] { new { days = new[] { "MON", "TUE", "WED", "THU", "FRI" }, from = "09:00", to = "17:00" } },
        });
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new
        {
            assigned_type = "USER", assigned_id = Alice.Id,
            rules = new object[] { new { schedule_id = kiritimati, when = "CLOSED", destination = new { type = "IVR", id = _ivr } } },
        }), HttpStatusCode.Created);
        await ApplyOkAsync();

        foreach (var source in new[] { "LIVE", "PENDING" })
        {
            var errors = await Problems.FieldErrorsAsync(await Admin.GetAsync(
                $"/api/v1/routing/simulate?number={Uri.EscapeDataString(number.Number)}&source={source}&at=9999-12-31T23:59:59Z"), "at");
            Assert.That(errors[0], Does.Contain("local time"), source);
        }
    }

    [TestCase("LIVE")]
    [TestCase("PENDING")]
    public async Task An_open_hour_call_from_home_rings_the_user(string source) =>
        Assert.That(await SimulateAsync("caller_id=%2B12125550100&at=2026-12-08T15:00:00Z", source), // Tue 10:00 in New York
            Is.EqualTo(("USER", Alice.Id.ToString(), (string?)null, (int?)null, false)));

    [Test]
    public async Task A_caller_from_the_uk_goes_to_the_queue_by_the_first_rule() =>
        Assert.That(await SimulateAsync("caller_id=%2B442071234567&at=2026-12-25T15:00:00Z"),
            Is.EqualTo(("QUEUE", _queue.ToString(), (string?)null, (int?)0, false)), "the caller rule comes before the holiday");

    [Test]
    public async Task On_a_closed_date_the_holiday_message_plays() =>
        Assert.That(await SimulateAsync("caller_id=%2B12125550100&at=2026-12-25T15:00:00Z"),
            Is.EqualTo(("EXTERNAL", (string?)null, "Playback(custom/holiday)", (int?)1, false)));

    [Test]
    public async Task The_same_date_a_year_later_is_an_ordinary_day() =>
        Assert.That((await SimulateAsync("caller_id=%2B12125550100&at=2027-12-24T15:00:00Z")).Type, Is.EqualTo("USER"), // Fri 10:00 in New York
            "a closed date holds for its year only");

    [Test]
    public async Task After_hours_a_withheld_caller_reaches_the_night_menu() =>
        Assert.That(await SimulateAsync("at=2026-12-08T23:00:00Z"), // Tue 18:00 in New York
            Is.EqualTo(("IVR", _ivr.ToString(), (string?)null, (int?)2, false)));

    [TestCase("NOANSWER")]
    [TestCase("BUSY")]
    [TestCase("CHANUNAVAIL")]
    public async Task A_user_who_does_not_answer_hands_the_call_to_the_failover_queue(string status) =>
        Assert.That(await SimulateAsync($"caller_id=%2B12125550100&at=2026-12-08T15:00:00Z&dial_status={status}"),
            Is.EqualTo(("QUEUE", _queue.ToString(), (string?)null, (int?)null, true)));
}
