using System.Globalization;

namespace Did.Dialplan;

/// <summary>One priority of a route or a schedule as it will be written: an optional label and the application call.</summary>
internal readonly record struct RouteLine(string? Label, string Call);

/// <summary>The priorities of a number with rules, a failover or its own ring time, in its shard: rules first, in order
/// (each one GotoIf to the label of its destination's block), then the default destination's block, which the call
/// falls into when no rule holds, then one block per other destination, then the failover block. Every block ends in a
/// Goto, a Hangup or a Dial/Queue whose next priority leaves it, so no block runs into the next.</summary>
internal sealed class RouteModel(RouteLine[] lines)
{
    public RouteLine[] Lines { get; } = lines;
}

/// <summary>A schedule's subroutine context: closed dates (year-exact) first, then the opening-hours pieces, each a
/// GotoIfTime in the schedule's time zone; it returns OPEN, CLOSED or HOLIDAY.</summary>
internal sealed class ScheduleModel(ScheduleSnapshot source, string context, RouteLine[] lines)
{
    public ScheduleSnapshot Source { get; } = source;
    public string Name => Source.Name;
    public string Context { get; } = context;
    public RouteLine[] Lines { get; } = lines;
    public string GosubCall { get; } = "Gosub(" + context + ",s,1)";
}

internal sealed partial class DialplanModel
{
    public const int MaxRules = 20;
    public const int MaxOpenIntervals = 50;
    public const int MaxClosedDates = 200;

    private sealed partial class Builder
    {
        // ---- Schedules ----

        private ScheduleModel[] CheckSchedules(TenantSnapshot t, int index, string where)
        {
            var result = new List<ScheduleModel>();
            foreach (var s in (t.Schedules ?? []).OrderBy(v => v.Name, StringComparer.Ordinal))
            {
                var what = $"{where}: schedule {s.Id}";
                var problems = _problems.Count;
                if (!Grammar.IsObjectName(s.Name)) Refuse(t.Id, $"{what} name {Grammar.Quote(s.Name)} must match ^[a-z0-9-]{{1,40}}$");
                if (!Grammar.IsTimeZone(s.TimeZone)) Refuse(t.Id, $"{what} time zone {Grammar.Quote(s.TimeZone)} must match ^[A-Za-z0-9/_+-]{{1,64}}$");
                var open = s.Open ?? [];
                var closed = s.Closed ?? [];
                if (open.Count > MaxOpenIntervals) Refuse(t.Id, $"{what} has {open.Count} opening intervals; at most {MaxOpenIntervals}");
                if (closed.Count > MaxClosedDates) Refuse(t.Id, $"{what} has {closed.Count} closed dates; at most {MaxClosedDates}");
                foreach (var i in open)
                {
                    if (i.Days == WeekDays.None || ((int)i.Days & ~0x7F) != 0) Refuse(t.Id, $"{what}: an interval has days {(int)i.Days}, not a set of MON..SUN");
                    if (i.FromMinute is < 0 or > 1439 || i.ToMinute is < 1 or > 1440 || i.FromMinute == i.ToMinute)
                        Refuse(t.Id, $"{what}: an interval runs from minute {i.FromMinute} to {i.ToMinute}; from 0..1439, to 1..1440, not equal");
                }
                foreach (var c in closed)
                    if (c.From > c.To) Refuse(t.Id, $"{what}: closed dates from {c.From:yyyy-MM-dd} to {c.To:yyyy-MM-dd} end before they start");
                if (_problems.Count > problems) continue;

                var model = new ScheduleModel(s, ContextNames.Schedule(t.Slug, s.Name), ScheduleLines(s.TimeZone, open, closed));
                if (!ClaimContext(t.Id, where, model.Context)) continue;
                if (!_schedules.TryAdd(s.Id, (index, model))) { Refuse(t.Id, $"{what}: the id is used by two schedules"); continue; }
                result.Add(model);
            }
            return [.. result];
        }

        private static RouteLine[] ScheduleLines(string zone, IReadOnlyList<OpenInterval> open, IReadOnlyList<ClosedDates> closed)
        {
            var lines = new List<RouteLine>();
            var dates = closed.Select(c => (c.From, c.To)).Distinct().Order().ToList();
            if (dates.Count > 0)
            {
                lines.Add(new(null, "Set(" + RouteForms.SetToday(zone) + ")"));
                foreach (var (from, to) in dates)
                    lines.Add(new(null, "GotoIf(" + RouteForms.GotoIf(RouteForms.ClosedDates(from, to), RouteForms.HolidayLabel) + ")"));
            }
            var pieces = OpenPieces(open);
            foreach (var (days, from, to) in pieces)
                lines.Add(new(null, "GotoIfTime(" + Clock(from) + "-" + Clock(to) + "," + DayNames(days) + ",*,*," + zone + "?" + RouteForms.OpenLabel + ")"));
            lines.Add(new(null, "Return(" + RouteForms.Closed + ")"));
            if (pieces.Count > 0) lines.Add(new(RouteForms.OpenLabel, "Return(" + RouteForms.Open + ")"));
            if (dates.Count > 0) lines.Add(new(RouteForms.HolidayLabel, "Return(" + RouteForms.Holiday + ")"));
            return [.. lines];
        }

        /// <summary>Opening hours as GotoIfTime pieces (days, first minute, last minute), sorted. Asterisk's range includes its
        /// end minute and its weekday is the local day of the moment tested, so [from, to) is from..to-1, and an interval
        /// past midnight is two pieces: from..23:59 on its days, 00:00..to-1 on the day after each.</summary>
        private static List<(int Days, int From, int To)> OpenPieces(IReadOnlyList<OpenInterval> open)
        {
            var pieces = new SortedSet<(int From, int To, int Days)>();
            foreach (var i in open)
            {
                var days = (int)i.Days;
                if (i.ToMinute > i.FromMinute) pieces.Add((i.FromMinute, i.ToMinute - 1, days));
                else
                {
                    pieces.Add((i.FromMinute, 1439, days));
                    pieces.Add((0, i.ToMinute - 1, ((days << 1) & 0x7F) | (days >> 6)));
                }
            }
            return [.. pieces.Select(p => (p.Days, p.From, p.To))];
        }

        private static string Clock(int minute) =>
            (minute / 60).ToString("D2", CultureInfo.InvariantCulture) + ":" + (minute % 60).ToString("D2", CultureInfo.InvariantCulture);

        private static readonly string[] Names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

        /// <summary>Monday first, runs of two or more as ranges: mon-fri, sat, mon&amp;wed&amp;fri, mon-sun.</summary>
        internal static string DayNames(int days)
        {
            var parts = new List<string>();
            for (var d = 0; d < 7; d++)
            {
                if ((days & (1 << d)) == 0) continue;
                var end = d;
                while (end + 1 < 7 && (days & (1 << (end + 1))) != 0) end++;
                parts.Add(end == d ? Names[d] : Names[d] + "-" + Names[end]);
                d = end;
            }
            return string.Join('&', parts);
        }

        // ---- Routes with rules, a failover or a ring time ----

        /// <summary>A destination of a route after every check: a user, IVR or queue of the tenant (<see cref="Target"/>) or
        /// a checked EXTERNAL action.</summary>
        private readonly record struct Resolved(AssignmentType Kind, Target Target, string? Action);

        /// <summary>The number with its route's priorities; a route whose options change nothing (no rule left, and no
        /// USER or QUEUE that a ring time or failover applies to) stays the plain one-line route.</summary>
        private NumberModel WithRoute(TenantModel tenant, RoutedNumber n, NumberModel plain)
        {
            var o = n.Options!;
            var what = What(n);
            var id = tenant.Source.Id;
            if (o.RingSeconds is < 5 or > 600) Refuse(id, $"{what}: ring time must be 5 to 600 seconds, is {o.RingSeconds}");
            var rules = o.Rules ?? [];
            if (rules.Count > MaxRules) Refuse(id, $"{what} has {rules.Count} rules; at most {MaxRules}");

            var defaultTarget = plain.Action is { } action
                ? new Resolved(AssignmentType.External, default, action)
                : new Resolved(n.Type, _targets[n.TargetId!.Value], null);
            var failover = o.Failover is null ? (Resolved?)null : Resolve(tenant, o.Failover, what + " failover", "no failover");

            var kept = new List<(int Index, RouteRule Rule, Resolved Target, ScheduleModel? Schedule)>();
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                var at = $"{what} rule {i}";
                if (rule is null || !RuleShapeIsValid(id, at, rule)) continue;
                ScheduleModel? schedule = null;
                if (rule.ScheduleId is { } scheduleId)
                {
                    if (!_schedules.TryGetValue(scheduleId, out var found)) { _warnings.Add($"{at}: schedule {scheduleId} does not exist; rule left out"); continue; }
                    if (found.Tenant != tenant.Index) { Refuse(id, $"{at}: schedule {scheduleId} belongs to another tenant"); continue; }
                    schedule = found.Model;
                }
                if (Resolve(tenant, rule.Destination, at + " destination", "rule left out") is { } target) kept.Add((i, rule, target, schedule));
            }

            var affected = kept.Select(k => k.Target.Kind).Append(defaultTarget.Kind)
                .Any(k => k == AssignmentType.Queue && failover is not null || k == AssignmentType.User && (failover is not null || o.RingSeconds is not null));
            if (kept.Count == 0 && !affected) return plain;

            var blocks = new RouteBlocks(this, tenant, o.RingSeconds, failover is not null);
            // The default's block is the first: the call falls into it when no rule holds.
            blocks.LabelOf(defaultTarget);
            var lines = new List<RouteLine>();
            if (kept.Any(k => k.Rule.CallerIdPrefix is not null || k.Rule.CallerWithheld)) lines.Add(new(null, "Set(" + RouteForms.SetCaller + ")"));
            ScheduleModel? entered = null;
            foreach (var (index, rule, target, schedule) in kept)
            {
                if (schedule is not null && schedule != entered)
                {
                    lines.Add(new(null, schedule.GosubCall));
                    entered = schedule;
                }
                lines.Add(new(RouteForms.RuleLabel(index), "GotoIf(" + RouteForms.GotoIf(Condition(rule), blocks.LabelOf(target)) + ")"));
            }
            blocks.WriteTo(lines);
            if (blocks.UsesFailover) AddBlock(lines, RouteForms.FailoverLabel, blocks.Plain(failover!.Value));
            return plain with { Route = new RouteModel([.. lines]) };
        }

        private bool RuleShapeIsValid(Guid tenantId, string at, RouteRule rule)
        {
            var before = _problems.Count;
            if (rule.CallerIdPrefix is { } prefix && !Grammar.IsCallerIdPrefix(prefix))
                Refuse(tenantId, $"{at}: caller ID prefix {Grammar.Quote(prefix)} must match ^\\+[0-9]{{1,15}}$");
            if (rule.CallerIdPrefix is not null && rule.CallerWithheld) Refuse(tenantId, $"{at} has two caller conditions; at most one");
            if (rule.ScheduleId is null != rule.When is null) Refuse(tenantId, $"{at}: a schedule condition needs both the schedule and when");
            if (rule.When is { } when && !Enum.IsDefined(when)) Refuse(tenantId, $"{at}: when {(int)when} is not OPEN, CLOSED or HOLIDAY");
            if (rule.CallerIdPrefix is null && !rule.CallerWithheld && rule.ScheduleId is null) Refuse(tenantId, $"{at} has no condition");
            if (rule.Destination is null) Refuse(tenantId, $"{at} has no destination");
            return _problems.Count == before;
        }

        private static string Condition(RouteRule rule)
        {
            var caller = rule.CallerIdPrefix is { } prefix ? RouteForms.CallerPrefix(prefix) : rule.CallerWithheld ? RouteForms.CallerWithheld : null;
            var schedule = rule.When switch
            {
                ScheduleCondition.Open => RouteForms.ScheduleOpen,
                ScheduleCondition.Closed => RouteForms.ScheduleClosed,
                ScheduleCondition.Holiday => RouteForms.ScheduleHoliday,
                _ => null,
            };
            return caller is not null && schedule is not null ? caller + " & " + schedule : caller ?? schedule!;
        }

        /// <summary>A rule's or failover's destination, checked as a number's default is: in the tenant (another tenant's is
        /// refused), existing (otherwise a warning ending in <paramref name="consequence"/>), EXTERNAL through the allow-list.</summary>
        private Resolved? Resolve(TenantModel tenant, RouteDestination d, string what, string consequence)
        {
            if (d.Type == AssignmentType.External)
                return CheckedExternal(tenant, d.ExternalAction, what, consequence) is { } action ? new Resolved(AssignmentType.External, default, action) : null;
            DestinationType? kind = d.Type switch
            {
                AssignmentType.User => DestinationType.User,
                AssignmentType.Ivr => DestinationType.Ivr,
                AssignmentType.Queue => DestinationType.Queue,
                _ => null,
            };
            if (kind is null) { Refuse(tenant.Source.Id, $"{what}: type {(int)d.Type} is unknown"); return null; }
            var type = d.Type.ToString().ToUpperInvariant();
            if (d.Id is not { } id || !_targets.TryGetValue(id, out var target) || target.Kind != kind)
            {
                _warnings.Add($"{what}: {type} {d.Id?.ToString() ?? "(no id)"} does not exist; {consequence}");
                return null;
            }
            if (target.Tenant != tenant.Index)
            {
                Refuse(tenant.Source.Id, $"{what}: {type} {id} belongs to another tenant");
                return null;
            }
            if (kind == DestinationType.User && target.Extension is null)
            {
                _warnings.Add($"{what}: user {id} has no extension; {consequence}");
                return null;
            }
            return new Resolved(d.Type, target, null);
        }

        private static void AddBlock(List<RouteLine> lines, string label, IReadOnlyList<string> calls)
        {
            lines.Add(new(label, calls[0]));
            for (var i = 1; i < calls.Count; i++) lines.Add(new(null, calls[i]));
        }

        /// <summary>The destination blocks of one route, one per distinct destination, in order of first use (the default
        /// first), each labelled for what it is.</summary>
        private sealed class RouteBlocks(Builder builder, TenantModel tenant, int? ringSeconds, bool hasFailover)
        {
            private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal); // destination key -> label
            private readonly List<(string Label, List<string> Calls)> _blocks = [];
            private int _externals;

            public bool UsesFailover { get; private set; }

            public string LabelOf(Resolved r)
            {
                var key = r.Kind switch
                {
                    AssignmentType.User => "user-" + r.Target.Extension,
                    AssignmentType.Ivr => "ivr-" + r.Target.Ivr!.Name,
                    AssignmentType.Queue => "queue-" + r.Target.Queue!.Name,
                    _ => "external " + r.Action,
                };
                if (_labels.TryGetValue(key, out var label)) return label;
                label = r.Kind == AssignmentType.External ? "external-" + (++_externals).ToString(CultureInfo.InvariantCulture) : key;
                _labels[key] = label;
                _blocks.Add((label, Calls(r)));
                return label;
            }

            public void WriteTo(List<RouteLine> lines)
            {
                foreach (var (label, calls) in _blocks) AddBlock(lines, label, calls);
            }

            private List<string> Calls(Resolved r)
            {
                var settings = builder.Settings;
                switch (r.Kind)
                {
                    case AssignmentType.User when ringSeconds is not null || hasFailover:
                        var ext = r.Target.Extension!;
                        var endpoint = string.Concat(tenant.Endpoint.Select(piece => piece ?? ext));
                        var dial = "Dial(" + settings.EndpointTechnology + "/" + endpoint + ","
                                   + (ringSeconds ?? settings.RingSeconds).ToString(CultureInfo.InvariantCulture) + ")";
                        if (hasFailover) return [dial, GotoFailover()];
                        return settings.VoicemailOnNoAnswer ? [dial, "VoiceMail(" + ext + "@" + tenant.Context + ")", "Hangup()"] : [dial, "Hangup()"];
                    case AssignmentType.Queue when hasFailover:
                        var queue = r.Target.Queue!;
                        queue.ReturnsWhenEmpty = true;
                        return settings.AnswerBeforeQueue ? ["Answer()", queue.Call, GotoFailover()] : [queue.Call, GotoFailover()];
                    default:
                        return Plain(r);
                }
            }

            private string GotoFailover()
            {
                UsesFailover = true;
                return "Goto(" + RouteForms.FailoverLabel + ")";
            }

            /// <summary>A destination entered as it is from anywhere else: its context, or the EXTERNAL action and a Hangup()
            /// after an action that could return.</summary>
            public List<string> Plain(Resolved r) =>
                r.Kind == AssignmentType.External
                    ? r.Action!.StartsWith("Goto(", StringComparison.Ordinal) || r.Action.StartsWith("Hangup(", StringComparison.Ordinal) ? [r.Action] : [r.Action, "Hangup()"]
                    : [r.Target.GotoText()];
        }
    }
}
