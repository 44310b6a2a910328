using Did.Infrastructure.Validation;
using FluentValidation;

namespace Did.Features.Schedules;

/// <summary>Field rules shared by create and update. A schedule's name and time zone end up in the dialplan (a context
/// name, GotoIfTime's time zone field), so both are restricted to characters that cannot break a line or an argument.</summary>
internal static class ScheduleRules
{
    public const string NamePattern = "^[a-z0-9-]{1,40}$";
    public const string TimezonePattern = "^[A-Za-z0-9/_+-]{1,64}$";
    public const string DayPattern = "^(MON|TUE|WED|THU|FRI|SAT|SUN)$";
    public const string FromPattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$";
    public const string ToPattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";
    public const string DatePattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    public const int MaxOpen = 50;
    public const int MaxClosed = 200;
    public const int MaxPeriodDays = 366;
    public static readonly DateOnly FirstDate = new(2000, 1, 1);
    public static readonly DateOnly LastDate = new(2199, 12, 31);

    public static IRuleBuilderOptions<T, string?> ScheduleName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(NamePattern).WithMessage("'{PropertyName}' must match " + NamePattern + " (you sent '{PropertyValue}').");

    /// <summary>An IANA name as the tz database writes it (Area/Location, Etc/..., or UTC), which this host knows: Asterisk
    /// reads the same database by that name, case-sensitively. Windows names, abbreviations (EST, CET), the database's
    /// posix/ and right/ copies, and a path with an empty part (America//New_York, which the file system finds but the
    /// database never spells) are refused.</summary>
    public static IRuleBuilderOptions<T, string?> Timezone<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(TimezonePattern)
            .WithMessage("'{PropertyName}' must be an IANA time zone name such as America/New_York, matching " + TimezonePattern + " (you sent '{PropertyValue}').")
            .Must(id => !IsZoneText(id) || IsIanaZone(id))
            .WithMessage("'{PropertyName}' must be an IANA time zone name such as America/New_York or UTC, spelt as in the tz database (you sent '{PropertyValue}').");

    /// <summary>Whether the text has the time zone grammar (<see cref="TimezonePattern"/>), whose rule reports it otherwise.</summary>
    private static bool IsZoneText(string? id) =>
        id is { Length: >= 1 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '+' or '-');

    public static bool IsIanaZone(string? id) =>
        id is null
        || (id == "UTC" || id.Contains('/') && !id.Contains("//", StringComparison.Ordinal)
                && !id.StartsWith("posix/", StringComparison.Ordinal) && !id.StartsWith("right/", StringComparison.Ordinal))
           && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.Id == id;

    public static void ValidateOpen<T>(this AbstractValidator<T> v, Func<T, IReadOnlyList<ScheduleOpenHours>?> open)
    {
        v.RuleFor(x => open(x)).Must(o => o is null || o.Count <= MaxOpen).OverridePropertyName("open")
            .WithMessage((_, o) => $"'open' holds at most {MaxOpen} intervals (you sent {o!.Count}).");
        v.RuleForEach(x => open(x)).NotNull().WithMessage("An interval of 'open' must not be null.")
            .SetValidator(new OpenHoursValidator()).OverridePropertyName("open");
    }

    public static void ValidateClosed<T>(this AbstractValidator<T> v, Func<T, IReadOnlyList<ScheduleClosedDate>?> closed)
    {
        v.RuleFor(x => closed(x)).Must(c => c is null || c.Count <= MaxClosed).OverridePropertyName("closed_dates")
            .WithMessage((_, c) => $"'closed_dates' holds at most {MaxClosed} dates (you sent {c!.Count}).");
        v.RuleForEach(x => closed(x)).NotNull().WithMessage("A date of 'closed_dates' must not be null.")
            .SetValidator(new ClosedDateValidator()).OverridePropertyName("closed_dates");
    }

    public sealed class OpenHoursValidator : AbstractValidator<ScheduleOpenHours>
    {
        public OpenHoursValidator()
        {
            RuleFor(o => o.Days).NotNull()
                .Must(d => d is null || d.Count is >= 1 and <= 7)
                .WithMessage((_, d) => $"'days' lists 1 to 7 days, MON to SUN (you sent {d!.Count}).")
                .Must(d => d is null || d.Distinct(StringComparer.Ordinal).Count() == d.Count)
                .WithMessage((_, d) => $"'days' lists a day twice (you sent {string.Join(", ", d!)}).");
            RuleForEach(o => o.Days).Cascade(CascadeMode.Stop)
                .NotNull().WithMessage("A day must not be null.")
                .MatchesWhole(DayPattern).WithMessage("A day is MON, TUE, WED, THU, FRI, SAT or SUN, in capitals (you sent '{PropertyValue}').");
            RuleFor(o => o.From).Cascade(CascadeMode.Stop).NotNull()
                .MatchesWhole(FromPattern).WithMessage("'from' is a local time HH:MM from 00:00 to 23:59 (you sent '{PropertyValue}').");
            RuleFor(o => o.To).Cascade(CascadeMode.Stop).NotNull()
                .MatchesWhole(ToPattern).WithMessage("'to' is a local time HH:MM from 00:00 to 24:00 (you sent '{PropertyValue}').")
                .Must((o, to) => ScheduleTimes.TryMinute(o.From) is not { } from || from != ScheduleTimes.TryMinute(to))
                .WithMessage((o, to) => $"'to' equals 'from', which leaves no open time; 00:00 to 24:00 is a whole day (you sent '{o.From}' to '{to}').");
        }
    }

    public sealed class ClosedDateValidator : AbstractValidator<ScheduleClosedDate>
    {
        public ClosedDateValidator()
        {
            RuleFor(c => c.Name).NotEmpty().Name(64);
            RuleFor(c => c.Date).Null().When(c => c.From is not null || c.To is not null)
                .WithMessage(c => $"A closed date has either 'date' (one day) or 'from' and 'to' (a period), not both (you sent date '{c.Date}', from '{c.From}', to '{c.To}').");
            RuleFor(c => c.From).NotNull().When(c => c.Date is null)
                .WithMessage("'from' and 'to' are both needed for a closed period; send 'date' for one day.");
            RuleFor(c => c.To).NotNull().When(c => c.Date is null)
                .WithMessage("'from' and 'to' are both needed for a closed period; send 'date' for one day.");
            RuleFor(c => c.Date).Date();
            RuleFor(c => c.From).Date();
            RuleFor(c => c.To).Date()
                .Must((c, to) => !ScheduleTimes.TryDate(c.From, out var from) || !ScheduleTimes.TryDate(to, out var end) || from <= end)
                .WithMessage((c, to) => $"'to' is before 'from' (you sent '{c.From}' to '{to}').")
                .Must((c, to) => !ScheduleTimes.TryDate(c.From, out var from) || !ScheduleTimes.TryDate(to, out var end) || end.DayNumber - from.DayNumber <= MaxPeriodDays)
                .WithMessage((c, to) => $"A closed period lasts at most a year: 'to' is at most {MaxPeriodDays} days after 'from' (you sent '{c.From}' to '{to}').");
        }
    }

    private static IRuleBuilderOptions<T, string?> Date<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(DatePattern)
            .WithMessage("'{PropertyName}' is a date YYYY-MM-DD (you sent '{PropertyValue}').")
            .Must(d => d is null || !IsDateText(d) || ScheduleTimes.TryDate(d, out var date) && date >= FirstDate && date <= LastDate)
            .WithMessage("'{PropertyName}' must be a real date from 2000-01-01 to 2199-12-31 (you sent '{PropertyValue}').");

    /// <summary>Whether the text has the date grammar (<see cref="DatePattern"/>), whose rule reports it otherwise.</summary>
    private static bool IsDateText(string d) =>
        d.Length == 10 && d[4] == '-' && d[7] == '-' && d.Where((_, i) => i is not (4 or 7)).All(char.IsAsciiDigit);
}
