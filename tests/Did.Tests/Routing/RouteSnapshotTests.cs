using System.Net;
using System.Net.Http.Json;
using Did.Dialplan;
using Did.Features.Apply;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>What the renderer gets: DialplanSnapshotReader fills schedules, route options and queue wait limits from
/// what the API stored, in the order it was given, and leaves a plain route without options.</summary>
public sealed class RouteSnapshotTests : ApiFixture
{
    private TestTenant _acme = null!;
    private TestTenant _other = null!;
    private TestUser _alice = null!;
    private Guid _queue;
    private Guid _waitless;
    private Guid _office;
    private Guid _theirs;
    private List<TestNumber> _numbers = null!;
    private DialplanSnapshot _snapshot = null!;

    [OneTimeSetUp]
    public async Task RouteAndRead()
    {
        _acme = await CreateTenantAsync("acme");
        _other = await CreateTenantAsync("other");
        _alice = await CreateUserAsync("USER", _acme.Id, "1001");
        var queue = QueueBodies.Create("support", _acme.Id);
        queue["max_wait_seconds"] = 90;
        _queue = await CreateAsync("/api/v1/queues", queue);
        _waitless = await CreateAsync("/api/v1/queues", QueueBodies.Create("sales", _acme.Id));
        _office = await CreateAsync("/api/v1/schedules", new
        {
            name = "office", timezone = "America/New_York", tenant_id = _acme.Id,
            open = new object[]
            {
                new { days = new[] { "MON", "TUE", "WED", "THU", "FRI" }, from = "09:00", to = "17:30" },
                new { days = new[] { "SAT" }, from = "22:00", to = "02:00" },
                new { days = new[] { "SUN" }, from = "10:00", to = "24:00" },
            },
            closed_dates = new object[]
            {
                new { date = "2026-12-25", name = "Christmas Day" },
                new { from = "2026-12-31", to = "2027-01-02", name = "New Year" },
            },
        });
        _theirs = await CreateAsync("/api/v1/schedules", new { name = "theirs", timezone = "Asia/Kolkata", tenant_id = _other.Id,
            open = new[] { new { days = new[] { "MON" }, from = "09:00", to = "17:30" } } });

        _numbers = await SeedNumbersAsync(_acme.Id, 3);
        await Assign(_numbers[0].Id, new { assigned_type = "USER", assigned_id = _alice.Id });
        await Assign(_numbers[1].Id, new
        {
            assigned_type = "USER", assigned_id = _alice.Id, ring_seconds = 20,
            failover = new { type = "QUEUE", id = _queue },
            rules = new object[]
            {
                new { caller_id_prefix = "+44", destination = new { type = "QUEUE", id = _waitless } },
                new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Hangup()" } },
                new { schedule_id = _office, when = "HOLIDAY", destination = new { type = "EXTERNAL", value = "Playback(custom/holiday)" } },
                new { caller_id_prefix = "+1555", schedule_id = _office, when = "CLOSED", destination = new { type = "EXTERNAL", value = "VoiceMail(1001)" } },
            },
        });
        await Assign(_numbers[2].Id, new { assigned_type = "USER", assigned_id = _alice.Id, ring_seconds = 45 });
        _snapshot = await DialplanSnapshotReader.ReadAsync(Db, CancellationToken.None);
    }

    private async Task<Guid> CreateAsync(string url, object body) =>
        (await Expect(await Admin.PostAsJsonAsync(url, body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task Assign(Guid number, object body) =>
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number}/assign", body), HttpStatusCode.Created);

    private TenantSnapshot Tenant(Guid id) => _snapshot.Tenants.Single(t => t.Id == id);

    private RoutedNumber Number(int i) => _snapshot.Numbers.Single(n => n.Number == _numbers[i].Number);

    [Test]
    public void A_schedule_comes_with_its_tenant_as_local_minutes_and_dates_in_the_order_given()
    {
        var schedule = Tenant(_acme.Id).Schedules!.Single();
        Assert.That((schedule.Id, schedule.Name, schedule.TimeZone), Is.EqualTo((_office, "office", "America/New_York")));
        Assert.That(schedule.Open, Is.EqualTo(new[]
        {
            new OpenInterval(WeekDays.Mon | WeekDays.Tue | WeekDays.Wed | WeekDays.Thu | WeekDays.Fri, 9 * 60, 17 * 60 + 30),
            new OpenInterval(WeekDays.Sat, 22 * 60, 2 * 60),
            new OpenInterval(WeekDays.Sun, 10 * 60, 1440),
        }));
        Assert.That(schedule.Closed, Is.EqualTo(new[]
        {
            new ClosedDates(new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 25), "Christmas Day"),
            new ClosedDates(new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 2), "New Year"),
        }));
    }

    [Test]
    public void Each_tenant_gets_only_its_own_schedules_in_its_own_time_zone()
    {
        var theirs = Tenant(_other.Id).Schedules!.Single();
        Assert.That((theirs.Id, theirs.TimeZone), Is.EqualTo((_theirs, "Asia/Kolkata")));
        Assert.That(theirs.Open.Single(), Is.EqualTo(new OpenInterval(WeekDays.Mon, 9 * 60, 17 * 60 + 30)), "local minutes, whatever the zone's offset");
        Assert.That(Tenant(_acme.Id).Schedules!.Select(s => s.Id), Does.Not.Contain(_theirs));
    }

    [Test]
    public void A_queue_carries_its_caller_wait_limit()
    {
        var queues = Tenant(_acme.Id).Queues.ToDictionary(q => q.Id);
        Assert.That(queues[_queue].MaxWaitSeconds, Is.EqualTo(90));
        Assert.That(queues[_waitless].MaxWaitSeconds, Is.Null);
    }

    [Test]
    public void A_plain_route_has_no_options()
    {
        var plain = Number(0);
        Assert.That((plain.Type, plain.TargetId, plain.Options), Is.EqualTo((AssignmentType.User, (Guid?)_alice.Id, (RouteOptions?)null)));
    }

    [Test]
    public void A_route_with_rules_carries_them_in_order_with_its_failover_and_ring_time()
    {
        var options = Number(1).Options!;
        Assert.That(options.RingSeconds, Is.EqualTo(20));
        Assert.That(options.Failover, Is.EqualTo(new RouteDestination(AssignmentType.Queue, _queue, null)));
        Assert.That(options.Rules, Is.EqualTo(new[]
        {
            new RouteRule("+44", false, null, null, new RouteDestination(AssignmentType.Queue, _waitless, null)),
            new RouteRule(null, true, null, null, new RouteDestination(AssignmentType.External, null, "Hangup()")),
            new RouteRule(null, false, _office, ScheduleCondition.Holiday, new RouteDestination(AssignmentType.External, null, "Playback(custom/holiday)")),
            new RouteRule("+1555", false, _office, ScheduleCondition.Closed, new RouteDestination(AssignmentType.External, null, "VoiceMail(1001@tenant-acme)")),
        }));
    }

    [Test]
    public void A_route_with_only_a_ring_time_has_options_without_rules()
    {
        var options = Number(2).Options!;
        Assert.That((options.RingSeconds, options.Failover, options.Rules.Count), Is.EqualTo(((int?)45, (RouteDestination?)null, 0)));
    }
}
