using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>Schedules as the switch evaluates them, walked through the rendered dialplan: wall-clock hours across both 2026
/// daylight-saving changes in New York, an interval past midnight, closed dates that hold for their year only, and a range
/// across New Year. Each test routes one number with a HOLIDAY rule and an OPEN rule to recordings, closed by default.</summary>
public class ScheduleWalkTests
{
    private static readonly Guid Tenant = Samples.G(300), Schedule = Samples.G(301);
    private const string Number = "+15559870001";
    private static readonly TimeSpan Edt = TimeSpan.FromHours(-4), Est = TimeSpan.FromHours(-5);

    private static string StateAt(ScheduleSnapshot schedule, DateTimeOffset at)
    {
        var snapshot = new DialplanSnapshot(
            [new TenantSnapshot(Tenant, "shop", [], [], [], [schedule])],
            [
                new RoutedNumber(Number, Tenant, AssignmentType.External, null, "Playback(closed)", new RouteOptions(null, null,
                [
                    new RouteRule(null, false, Schedule, ScheduleCondition.Holiday, RouteSamples.External("Playback(holiday)")),
                    new RouteRule(null, false, Schedule, ScheduleCondition.Open, RouteSamples.External("Playback(open)")),
                ])),
            ]);
        var text = RenderedDialplan.Of(snapshot).Extensions;
        var walk = DialplanWalker.Walk(new DialplanTextSource(text), new WalkRequest(Number, "+12125550100", at, DialStatus.Answer));
        return walk.Outcome!.Value!["Playback(".Length..^1].ToUpperInvariant();
    }

    private static ScheduleSnapshot Hours(params OpenInterval[] open) => new(Schedule, "hours", "America/New_York", open, []);

    private static ScheduleSnapshot Nights(OpenInterval[] open, DateOnly closed) =>
        new(Schedule, "hours", "America/New_York", open, [new ClosedDates(closed, closed, "closed")]);

    private static ScheduleSnapshot Closed(params ClosedDates[] closed) =>
        new(Schedule, "hours", "America/New_York", [new OpenInterval((WeekDays)0x7F, 9 * 60, 17 * 60)], closed);

    [Test]
    public void Half_past_nine_is_open_on_both_sides_of_the_spring_change()
    {
        var daily = Hours(new OpenInterval((WeekDays)0x7F, 9 * 60, 17 * 60));

        Assert.That(StateAt(daily, new DateTimeOffset(2026, 3, 7, 9, 30, 0, Est)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(daily, new DateTimeOffset(2026, 3, 8, 9, 30, 0, Edt)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(daily, new DateTimeOffset(2026, 3, 8, 8, 30, 0, Edt)), Is.EqualTo("CLOSED"), "13:30 UTC was 08:30 local the day before");
    }

    [Test]
    public void Half_past_nine_is_open_on_both_sides_of_the_autumn_change()
    {
        var daily = Hours(new OpenInterval((WeekDays)0x7F, 9 * 60, 17 * 60));

        Assert.That(StateAt(daily, new DateTimeOffset(2026, 10, 31, 9, 30, 0, Edt)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(daily, new DateTimeOffset(2026, 11, 1, 9, 30, 0, Est)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(daily, new DateTimeOffset(2026, 11, 1, 8, 59, 0, Est)), Is.EqualTo("CLOSED"));
        Assert.That(StateAt(daily, new DateTimeOffset(2026, 11, 1, 16, 59, 0, Est)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(daily, new DateTimeOffset(2026, 11, 1, 17, 0, 0, Est)), Is.EqualTo("CLOSED"), "the end minute is not open");
    }

    [Test]
    public void An_interval_past_midnight_is_open_until_its_end_on_the_next_day()
    {
        var saturdayNight = Hours(new OpenInterval(WeekDays.Sat, 22 * 60, 2 * 60));

        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 6, 13, 21, 59, 0, Edt)), Is.EqualTo("CLOSED"));
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 6, 13, 22, 0, 0, Edt)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 6, 14, 1, 30, 0, Edt)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 6, 14, 1, 59, 0, Edt)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 6, 14, 2, 0, 0, Edt)), Is.EqualTo("CLOSED"));
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 6, 15, 1, 30, 0, Edt)), Is.EqualTo("CLOSED"), "Monday 01:30 follows Sunday, not Saturday");
    }

    [Test]
    public void A_night_that_begins_on_a_closed_date_stays_closed_past_midnight()
    {
        var saturdayNight = Nights([new OpenInterval(WeekDays.Sat, 22 * 60, 2 * 60)], new DateOnly(2026, 12, 26));

        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 12, 26, 23, 0, 0, Est)), Is.EqualTo("HOLIDAY"));
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 12, 27, 1, 0, 0, Est)), Is.EqualTo("CLOSED"), "Saturday's night, Sunday 01:00");
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2027, 1, 3, 1, 0, 0, Est)), Is.EqualTo("OPEN"), "the next Saturday's night");
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 12, 20, 1, 0, 0, Est)), Is.EqualTo("OPEN"), "the Saturday's night before");
    }

    [Test]
    public void The_day_after_a_closed_date_keeps_the_hours_it_begins_itself()
    {
        var nights = Nights([new OpenInterval(WeekDays.Sat, 22 * 60, 2 * 60), new OpenInterval(WeekDays.Sun, 0, 60)], new DateOnly(2026, 12, 26));

        Assert.That(StateAt(nights, new DateTimeOffset(2026, 12, 27, 0, 30, 0, Est)), Is.EqualTo("OPEN"), "Sunday's own 00:00-01:00");
        Assert.That(StateAt(nights, new DateTimeOffset(2026, 12, 27, 1, 30, 0, Est)), Is.EqualTo("CLOSED"), "Saturday's night");
    }

    [Test]
    public void A_closed_date_closes_the_end_of_the_night_before_it()
    {
        var saturdayNight = Nights([new OpenInterval(WeekDays.Sat, 22 * 60, 2 * 60)], new DateOnly(2026, 12, 27));

        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 12, 26, 23, 0, 0, Est)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(saturdayNight, new DateTimeOffset(2026, 12, 27, 1, 0, 0, Est)), Is.EqualTo("HOLIDAY"), "a closed date is its whole day");
    }

    [Test]
    public void An_interval_to_midnight_is_open_in_its_last_minute()
    {
        var evening = Hours(new OpenInterval(WeekDays.Wed, 18 * 60, 24 * 60));

        Assert.That(StateAt(evening, new DateTimeOffset(2026, 6, 10, 23, 59, 0, Edt)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(evening, new DateTimeOffset(2026, 6, 11, 0, 0, 0, Edt)), Is.EqualTo("CLOSED"));
    }

    [Test]
    public void A_closed_date_holds_for_its_year_only()
    {
        var july = Closed(new ClosedDates(new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 1), "Company day"));

        Assert.That(StateAt(july, new DateTimeOffset(2026, 7, 1, 10, 0, 0, Edt)), Is.EqualTo("HOLIDAY"));
        Assert.That(StateAt(july, new DateTimeOffset(2027, 7, 1, 10, 0, 0, Edt)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(july, new DateTimeOffset(2026, 7, 2, 10, 0, 0, Edt)), Is.EqualTo("OPEN"));
    }

    [Test]
    public void A_closed_date_is_the_whole_local_day()
    {
        var july = Closed(new ClosedDates(new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 1), "Company day"));

        Assert.That(StateAt(july, new DateTimeOffset(2026, 7, 1, 0, 0, 0, Edt)), Is.EqualTo("HOLIDAY"));
        Assert.That(StateAt(july, new DateTimeOffset(2026, 7, 1, 23, 59, 0, Edt)), Is.EqualTo("HOLIDAY"), "03:59 UTC on 2 July");
        Assert.That(StateAt(july, new DateTimeOffset(2026, 6, 30, 23, 59, 0, Edt)), Is.EqualTo("CLOSED"));
    }

    [Test]
    public void A_range_across_new_year_closes_every_day_of_it()
    {
        var newYear = Closed(new ClosedDates(new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 2), "New Year"));

        Assert.That(StateAt(newYear, new DateTimeOffset(2026, 12, 30, 10, 0, 0, Est)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(newYear, new DateTimeOffset(2026, 12, 31, 10, 0, 0, Est)), Is.EqualTo("HOLIDAY"));
        Assert.That(StateAt(newYear, new DateTimeOffset(2027, 1, 1, 10, 0, 0, Est)), Is.EqualTo("HOLIDAY"));
        Assert.That(StateAt(newYear, new DateTimeOffset(2027, 1, 2, 22, 0, 0, Est)), Is.EqualTo("HOLIDAY"), "03:00 UTC on 3 January");
        Assert.That(StateAt(newYear, new DateTimeOffset(2027, 1, 3, 10, 0, 0, Est)), Is.EqualTo("OPEN"));
        Assert.That(StateAt(newYear, new DateTimeOffset(2027, 12, 31, 10, 0, 0, Est)), Is.EqualTo("OPEN"));
    }

    [Test]
    public void A_schedule_renders_its_closed_dates_year_exact_and_its_hours_with_inclusive_ends()
    {
        var snapshot = new DialplanSnapshot([new TenantSnapshot(Tenant, "shop", [], [], [], [RouteSamples.OfficeHoursSchedule() with { Id = Schedule }])], []);

        var text = RenderedDialplan.Of(snapshot).Extensions;

        Assert.That(text, Does.Contain("GotoIf($[${DID_TODAY} >= 20261231 & ${DID_TODAY} <= 20270102]?holiday)"));
        Assert.That(text, Does.Not.Contain(",25,dec"));
        Assert.That(text, Does.Contain("GotoIfTime(09:00-17:29,mon-fri,*,*,America/New_York?open)"));
        Assert.That(text, Does.Contain("GotoIfTime(22:00-23:59,sat,*,*,America/New_York?open)"));
        Assert.That(text, Does.Contain("GotoIfTime(00:00-01:59,sun,*,*,America/New_York?open)"));
    }
}
