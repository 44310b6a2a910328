using System.Globalization;

namespace Did.Dialplan;

/// <summary>One priority of a schedule as it will be written: an optional label and the application call.</summary>
internal readonly record struct RouteLine(string? Label, string Call);

/// <summary>Priorities of a route that go together, as they will be written: the first carries the optional label, the
/// others follow it. <see cref="Calls"/> is shared by every route that has the same block (a rule's GotoIf, a Gosub, a
/// destination), so a route costs an entry per block, not per priority.</summary>
internal readonly record struct RouteBlock(string? Label, string[] Calls);

/// <summary>A schedule's subroutine context: closed dates (year-exact) first, then the opening-hours pieces, each a
/// GotoIfTime in the schedule's time zone; it returns OPEN, CLOSED or HOLIDAY.</summary>
internal sealed class ScheduleModel(ScheduleSnapshot source, string context, RouteLine[] lines)
{
    public ScheduleSnapshot Source { get; } = source;
    public string Name => Source.Name;
    public string Context { get; } = context;
    public RouteLine[] Lines { get; } = lines;
    /// <summary>The block that enters the schedule: one Gosub, whose return value the rules after it compare.</summary>
    public string[] Gosub { get; } = ["Gosub(" + context + ",s,1)"];
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
            foreach (var s in ByName(t.Schedules ?? [], v => v.Name))
            {
                // Made only for a message: a schedule that passes needs none.
                string What() => $"{where}: schedule {s.Id}";
                var problems = _problems.Count;
                if (!Grammar.IsObjectName(s.Name)) Refuse(t.Id, $"{What()} name {Grammar.Quote(s.Name)} must match ^[a-z0-9-]{{1,40}}$");
                if (!Grammar.IsTimeZone(s.TimeZone)) Refuse(t.Id, $"{What()} time zone {Grammar.Quote(s.TimeZone)} must match ^[A-Za-z0-9/_+-]{{1,64}}$");
                var open = s.Open ?? [];
                var closed = s.Closed ?? [];
                if (open.Count > MaxOpenIntervals) Refuse(t.Id, $"{What()} has {open.Count} opening intervals; at most {MaxOpenIntervals}");
                if (closed.Count > MaxClosedDates) Refuse(t.Id, $"{What()} has {closed.Count} closed dates; at most {MaxClosedDates}");
                foreach (var i in open)
                {
                    if (i.Days == WeekDays.None || ((int)i.Days & ~0x7F) != 0) Refuse(t.Id, $"{What()}: an interval has days {(int)i.Days}, not a set of MON..SUN");
                    if (i.FromMinute is < 0 or > 1439 || i.ToMinute is < 1 or > 1440 || i.FromMinute == i.ToMinute)
                        Refuse(t.Id, $"{What()}: an interval runs from minute {i.FromMinute} to {i.ToMinute}; from 0..1439, to 1..1440, not equal");
                }
                foreach (var c in closed)
                    if (c.From > c.To) Refuse(t.Id, $"{What()}: closed dates from {c.From:yyyy-MM-dd} to {c.To:yyyy-MM-dd} end before they start");
                if (_problems.Count > problems) continue;

                var model = new ScheduleModel(s, ContextNames.Schedule(t.Slug, s.Name), ScheduleLines(s.TimeZone, open, closed));
                if (!ClaimContext(t.Id, where, model.Context)) continue;
                if (!_schedules.TryAdd(s.Id, (index, model))) { Refuse(t.Id, $"{What()}: the id is used by two schedules"); continue; }
                result.Add(model);
            }
            return [.. result];
        }

        // The calls of schedule lines by what they are made of: tenants' schedules mostly share their zones, hours and dates.
        private readonly Dictionary<string, string> _setTodays = new(StringComparer.Ordinal);
        private readonly Dictionary<(DateOnly From, DateOnly To, string Label), string> _closedDates = new();
        private readonly Dictionary<(string Zone, int Days, int From, int To), string> _openPieces = new();

        private RouteLine[] ScheduleLines(string zone, IReadOnlyList<OpenInterval> open, IReadOnlyList<ClosedDates> closed)
        {
            var dates = new (DateOnly From, DateOnly To)[closed.Count];
            for (var i = 0; i < dates.Length; i++) dates[i] = (closed[i].From, closed[i].To);
            var dateCount = SortDistinct(dates);
            var pieces = OpenPieces(open, out var nightCount, out var pieceCount);

            var lines = new List<RouteLine>(2 * dateCount + pieceCount + 4);
            if (dateCount > 0)
            {
                if (!_setTodays.TryGetValue(zone, out var setToday)) _setTodays[zone] = setToday = "Set(" + RouteForms.SetToday(zone) + ")";
                lines.Add(new(null, setToday));
                foreach (var (from, to) in dates.AsSpan(0, dateCount)) lines.Add(new(null, ClosedDatesGoto(from, to, RouteForms.HolidayLabel)));
            }
            // A night past midnight belongs to the day it began: after a closed date its hours past midnight stay closed.
            var guarded = dateCount > 0 && nightCount > 0;
            if (guarded)
                foreach (var (from, to) in dates.AsSpan(0, dateCount))
                    lines.Add(new(null, ClosedDatesGoto(NextDay(from), NextDay(to), RouteForms.SameDayLabel)));
            for (var p = 0; p < pieceCount; p++)
            {
                var (_, from, to, days) = pieces[p];
                if (!_openPieces.TryGetValue((zone, days, from, to), out var gotoIfTime))
                    _openPieces[(zone, days, from, to)] = gotoIfTime =
                        "GotoIfTime(" + Clock(from) + "-" + Clock(to) + "," + DayNames(days) + ",*,*," + zone + "?" + RouteForms.OpenLabel + ")";
                lines.Add(new(guarded && p == nightCount ? RouteForms.SameDayLabel : null, gotoIfTime));
            }
            lines.Add(new(guarded && nightCount == pieceCount ? RouteForms.SameDayLabel : null, "Return(" + RouteForms.Closed + ")"));
            if (pieceCount > 0) lines.Add(new(RouteForms.OpenLabel, "Return(" + RouteForms.Open + ")"));
            if (dateCount > 0) lines.Add(new(RouteForms.HolidayLabel, "Return(" + RouteForms.Holiday + ")"));
            return [.. lines];
        }

        private string ClosedDatesGoto(DateOnly from, DateOnly to, string label)
        {
            if (!_closedDates.TryGetValue((from, to, label), out var gotoIf))
                _closedDates[(from, to, label)] = gotoIf = "GotoIf(" + RouteForms.GotoIf(RouteForms.ClosedDates(from, to), label) + ")";
            return gotoIf;
        }

        private static DateOnly NextDay(DateOnly d) => d == DateOnly.MaxValue ? d : d.AddDays(1);

        /// <summary>Opening hours as GotoIfTime pieces (night, first minute, last minute, days), sorted, each once: the first
        /// <paramref name="count"/> of the array, the <paramref name="nightCount"/> pieces past midnight first. Asterisk's
        /// range includes its end minute and its weekday is the local day of the moment tested, so [from, to) is
        /// from..to-1, and an interval past midnight is two pieces: from..23:59 on its days, and a night piece
        /// 00:00..to-1 on the day after each.</summary>
        private static (bool Day, int From, int To, int Days)[] OpenPieces(IReadOnlyList<OpenInterval> open, out int nightCount, out int count)
        {
            var pieces = new (bool Day, int From, int To, int Days)[open.Count * 2];
            var n = 0;
            foreach (var i in open)
            {
                var days = (int)i.Days;
                if (i.ToMinute > i.FromMinute) pieces[n++] = (true, i.FromMinute, i.ToMinute - 1, days);
                else
                {
                    pieces[n++] = (true, i.FromMinute, 1439, days);
                    pieces[n++] = (false, 0, i.ToMinute - 1, ((days << 1) & 0x7F) | (days >> 6));
                }
            }
            count = SortDistinct(pieces.AsSpan(0, n));
            nightCount = 0;
            while (nightCount < count && !pieces[nightCount].Day) nightCount++;
            // A night piece that is also a piece of its own day's hours is open whatever the night before was: one copy.
            var kept = 0;
            for (var p = 0; p < count; p++)
            {
                var (day, from, to, days) = pieces[p];
                if (!day && pieces.AsSpan(nightCount, count - nightCount).Contains((true, from, to, days))) continue;
                pieces[kept++] = pieces[p];
            }
            nightCount -= count - kept;
            count = kept;
            return pieces;
        }

        // Sorts the items (by the comparison, or their own order) and moves each distinct one to the front, in order;
        // returns how many there are.
        private static int SortDistinct<T>(Span<T> items, Comparison<T>? compare = null) where T : IEquatable<T>
        {
            if (items.Length <= 1) return items.Length; // in order and distinct already
            if (compare is null) items.Sort();
            else items.Sort(compare);
            var count = 0;
            foreach (var item in items)
                if (count == 0 || !items[count - 1].Equals(item)) items[count++] = item;
            return count;
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
        // A fifth of a platform's numbers may have rules, so a route is built from strings made once per render (conditions,
        // GotoIf calls, labels, each destination's block) and looked up here, and a message is made only for a number
        // that is refused or warned about. The exception is the Dial of a user the route rings itself: made for the route,
        // because it carries the route's ring time and few routes ring the same user.

        /// <summary>A destination of a route after every check: its label, what its block is made of (<see cref="Plain"/>,
        /// one array per destination, shared by every route that has it), and the <see cref="User"/> or the
        /// <see cref="Queue"/> for a route that rings or enters it itself. Equal values are the same destination, which has
        /// one block in a route however many rules lead to it.
        /// A value: resolving a destination, which every rule and failover of every route does, allocates nothing.
        /// <para>A USER carries neither label nor block: <see cref="LabelOf"/> and <see cref="PlainOf"/> make them when a
        /// route first asks, because a user that routes ring themselves (Dial) never needs the Goto block, and a user that
        /// is only a failover never needs the label.</para></summary>
        private readonly record struct Resolved(AssignmentType Kind, string? Label, string[]? Plain, Target User = default, QueueModel? Queue = null)
        {
            public string? Extension => User.Extension;
        }

        // A user's label depends on its extension only (user-1001 in every tenant), its Goto block on its tenant too; the
        // Goto blocks are keyed by the extension's OrdinalKey, an int that no other extension has.
        private readonly Dictionary<string, string> _userLabels = new(StringComparer.Ordinal);
        private readonly Dictionary<(int Tenant, int Extension), string[]> _userGotos = new();

        private string LabelOf(Resolved r)
        {
            if (r.Kind != AssignmentType.User) return r.Label!;
            var extension = r.Extension!;
            if (!_userLabels.TryGetValue(extension, out var label)) _userLabels[extension] = label = "user-" + extension;
            return label;
        }

        private string[] PlainOf(Resolved r)
        {
            if (r.Kind != AssignmentType.User) return r.Plain!;
            var key = (r.User.Tenant, OrdinalKey(r.Extension!));
            if (!_userGotos.TryGetValue(key, out var plain)) _userGotos[key] = plain = [r.User.GotoText()];
            return plain;
        }

        // The calls of EXTERNAL blocks by tenant (index), then by action as given and as checked; a tenant's table is made
        // at its first EXTERNAL destination of a route. Keyed by the action alone, a lookup compares strings directly
        // rather than through a tuple.
        private Dictionary<string, string[]>?[]? _externals;
        private readonly Dictionary<(QueueModel Queue, bool Answer), string[]> _queueEntries = new();

        /// <summary>What a rule's GotoIf is made of: its conditions and the label it jumps to. A type of its own rather than a
        /// tuple, whose comparer reaches the strings in it through shared generic code, once per rule of every route.</summary>
        private readonly record struct GotoIfKey(string? Prefix, bool Withheld, ScheduleCondition? When, string Label);

        private readonly Dictionary<GotoIfKey, string[]> _gotoIfs = new();
        private readonly List<(int Index, RouteRule Rule, Resolved Target, ScheduleModel? Schedule)> _kept = [];
        private readonly List<(string Label, Resolved Destination, string[] Calls)> _blocks = [];
        private readonly List<RouteBlock> _route = [];

        private static readonly string[] RuleLabels = [.. Enumerable.Range(0, MaxRules).Select(RouteForms.RuleLabel)];
        // A route has at most one block per rule plus the default's, so at most MaxRules + 1 EXTERNAL blocks.
        private static readonly string[] ExternalLabels =
            [.. Enumerable.Range(1, MaxRules + 1).Select(i => "external-" + i.ToString(CultureInfo.InvariantCulture))];
        private static readonly string[] SetCaller = ["Set(" + RouteForms.SetCaller + ")"];
        private static readonly string GotoFailover = "Goto(" + RouteForms.FailoverLabel + ")";

        /// <summary>The number with its route's priorities; a route whose options change nothing (no rule left, and no
        /// USER or QUEUE that a ring time or failover applies to) stays the plain one-line route.</summary>
        private NumberModel WithRoute(TenantModel tenant, RoutedNumber n, NumberModel plain)
        {
            var o = n.Options!;
            var id = tenant.Source.Id;
            if (o.RingSeconds is < 5 or > 600) Refuse(id, $"{What(n)}: ring time must be 5 to 600 seconds, is {o.RingSeconds}");
            var rules = o.Rules ?? [];
            if (rules.Count > MaxRules) Refuse(id, $"{What(n)} has {rules.Count} rules; at most {MaxRules}");

            var defaultTarget = plain.Action is { } action
                ? ExternalBlock(tenant, action)
                : n.Type == AssignmentType.User ? User(TargetOf(n.TargetId!.Value)) : Entered(TargetOf(n.TargetId!.Value), n.Type);
            var failover = o.Failover is null ? null : Resolve(tenant, o.Failover, n, -1);

            _kept.Clear();
            var readsCaller = false;
            for (var i = 0; i < rules.Count && i < MaxRules; i++)
            {
                var rule = rules[i];
                if (rule is null || !RuleShapeIsValid(id, n, i, rule)) continue;
                ScheduleModel? schedule = null;
                if (rule.ScheduleId is { } scheduleId)
                {
                    if (!_schedules.TryGetValue(scheduleId, out var found)) { Warn(id, n.Number, $"{What(n)} rule {i}: schedule {scheduleId} does not exist; rule left out"); continue; }
                    if (found.Tenant != tenant.Index) { Refuse(id, $"{What(n)} rule {i}: schedule {scheduleId} belongs to another tenant"); continue; }
                    schedule = found.Model;
                }
                if (Resolve(tenant, rule.Destination!, n, i) is not { } target) continue;
                _kept.Add((i, rule, target, schedule));
                readsCaller |= rule.CallerIdPrefix is not null || rule.CallerWithheld;
            }

            var changes = _kept.Count > 0 || Changes(defaultTarget.Kind, o.RingSeconds, failover is not null);
            if (!changes) return plain;

            _blocks.Clear();
            _route.Clear();
            // The default's block is the first: the call falls into it when no rule holds.
            Block(tenant, defaultTarget, o.RingSeconds, failover is not null);
            if (readsCaller) _route.Add(new(null, SetCaller));
            ScheduleModel? entered = null;
            foreach (var (index, rule, target, schedule) in _kept)
            {
                if (schedule is not null && schedule != entered)
                {
                    _route.Add(new(null, schedule.Gosub));
                    entered = schedule;
                }
                var label = Block(tenant, target, o.RingSeconds, failover is not null);
                var key = new GotoIfKey(rule.CallerIdPrefix, rule.CallerWithheld, rule.When, label);
                if (!_gotoIfs.TryGetValue(key, out var gotoIf))
                    _gotoIfs[key] = gotoIf = ["GotoIf(" + RouteForms.GotoIf(Condition(rule), label) + ")"];
                _route.Add(new(RuleLabels[index], gotoIf));
            }
            var usesFailover = false;
            foreach (var (label, _, calls) in _blocks)
            {
                _route.Add(new(label, calls));
                usesFailover |= calls[^1] == GotoFailover;
            }
            if (usesFailover) _route.Add(new(RouteForms.FailoverLabel, PlainOf(failover!.Value)));
            return plain with { Route = [.. _route] };
        }

        private static bool Changes(AssignmentType kind, int? ringSeconds, bool hasFailover) =>
            kind == AssignmentType.Queue && hasFailover || kind == AssignmentType.User && (hasFailover || ringSeconds is not null);

        /// <summary>The label of a destination's block in the route being built, adding the block at its first use.</summary>
        private string Block(TenantModel tenant, Resolved r, int? ringSeconds, bool hasFailover)
        {
            foreach (var (label, destination, _) in _blocks)
                if (destination == r) return label;
            var calls = Changes(r.Kind, ringSeconds, hasFailover) ? Entry(tenant, r, ringSeconds, hasFailover) : PlainOf(r);
            var external = 0;
            foreach (var (label, _, _) in _blocks) if (label.StartsWith("external-", StringComparison.Ordinal)) external++;
            var newLabel = r.Kind == AssignmentType.External ? ExternalLabels[external] : LabelOf(r);
            _blocks.Add((newLabel, r, calls));
            return newLabel;
        }

        /// <summary>A USER the route rings itself (its ring time, then the failover or the user's voicemail), or a QUEUE it
        /// enters itself with the failover after it.</summary>
        private string[] Entry(TenantModel tenant, Resolved r, int? ringSeconds, bool hasFailover)
        {
            if (r.Kind == AssignmentType.Queue)
            {
                var queue = r.Queue!;
                queue.ReturnsWhenEmpty = true;
                var answer = settings.AnswerBeforeQueue;
                if (!_queueEntries.TryGetValue((queue, answer), out var entry))
                    _queueEntries[(queue, answer)] = entry = answer ? ["Answer()", queue.Call, GotoFailover] : [queue.Call, GotoFailover];
                return entry;
            }
            var ext = r.Extension!;
            var call = tenant.DialCall(settings.EndpointTechnology, ext, ringSeconds ?? settings.RingSeconds);
            return hasFailover ? [call, GotoFailover]
                : settings.VoicemailOnNoAnswer ? [call, "VoiceMail(" + ext + "@" + tenant.Context + ")", "Hangup()"] : [call, "Hangup()"];
        }

        private bool RuleShapeIsValid(Guid tenantId, RoutedNumber n, int i, RouteRule rule)
        {
            var prefixOk = rule.CallerIdPrefix is not { } p || Grammar.IsCallerIdPrefix(p);
            var ok = prefixOk && !(rule.CallerIdPrefix is not null && rule.CallerWithheld) && rule.ScheduleId is null == rule.When is null
                     && (rule.When is not { } w || Enum.IsDefined(w)) && (rule.CallerIdPrefix is not null || rule.CallerWithheld || rule.ScheduleId is not null)
                     && rule.Destination is not null;
            if (ok) return true;
            var at = $"{What(n)} rule {i}";
            if (!prefixOk) Refuse(tenantId, $"{at}: caller ID prefix {Grammar.Quote(rule.CallerIdPrefix)} must match ^\\+[0-9]{{1,15}}$");
            if (rule.CallerIdPrefix is not null && rule.CallerWithheld) Refuse(tenantId, $"{at} has two caller conditions; at most one");
            if (rule.ScheduleId is null != rule.When is null) Refuse(tenantId, $"{at}: a schedule condition needs both the schedule and when");
            if (rule.When is { } when && !Enum.IsDefined(when)) Refuse(tenantId, $"{at}: when {(int)when} is not OPEN, CLOSED or HOLIDAY");
            if (rule.CallerIdPrefix is null && !rule.CallerWithheld && rule.ScheduleId is null) Refuse(tenantId, $"{at} has no condition");
            if (rule.Destination is null) Refuse(tenantId, $"{at} has no destination");
            return false;
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

        // What a message calls the destination of rule `rule` of a number (-1: its failover), and what becomes of it.
        private static string Where(RoutedNumber n, int rule) => rule < 0 ? What(n) + " failover" : $"{What(n)} rule {rule} destination";

        private static string Consequence(int rule) => rule < 0 ? "no failover" : "rule left out";

        /// <summary>A rule's or failover's destination, checked as a number's default is: in the tenant (another tenant's is
        /// refused), existing (otherwise a warning; the rule is left out, the failover ignored), EXTERNAL through the
        /// allow-list.</summary>
        private Resolved? Resolve(TenantModel tenant, RouteDestination d, RoutedNumber n, int rule)
        {
            if (d.Type == AssignmentType.External)
                return d.ExternalAction is { } action ? External(tenant, action, n, rule) : ExternalRefused(tenant, d.ExternalAction, n, rule);
            DestinationType? kind = d.Type switch
            {
                AssignmentType.User => DestinationType.User,
                AssignmentType.Ivr => DestinationType.Ivr,
                AssignmentType.Queue => DestinationType.Queue,
                _ => null,
            };
            if (kind is null) { Refuse(tenant.Source.Id, $"{Where(n, rule)}: type {(int)d.Type} is unknown"); return null; }
            if (d.Id is not { } id || !TryTarget(id, out var target) || target.Kind != kind)
            {
                Warn(tenant.Source.Id, n.Number, $"{Where(n, rule)}: {d.Type.ToString().ToUpperInvariant()} {d.Id?.ToString() ?? "(no id)"} does not exist; {Consequence(rule)}");
                return null;
            }
            if (target.Tenant != tenant.Index)
            {
                Refuse(tenant.Source.Id, $"{Where(n, rule)}: {d.Type.ToString().ToUpperInvariant()} {id} belongs to another tenant");
                return null;
            }
            if (kind == DestinationType.User && target.Extension is null)
            {
                Warn(tenant.Source.Id, n.Number, $"{Where(n, rule)}: user {id} has no extension; {Consequence(rule)}");
                return null;
            }
            return d.Type == AssignmentType.User ? User(target) : Entered(target, d.Type);
        }

        private static Resolved User(Target target) => new(AssignmentType.User, null, null, target);

        // Made from the model's label and block, the same value for every route that enters it.
        private static Resolved Entered(Target target, AssignmentType kind) => kind == AssignmentType.Ivr
            ? new Resolved(kind, target.Ivr!.Label, target.Ivr.Entered)
            : new Resolved(kind, target.Queue!.Label, target.Queue.Entered, Queue: target.Queue);

        /// <summary>An EXTERNAL action, checked once per tenant and action (a Goto that leads nowhere is warned about for each
        /// number that has it), with a Hangup() after an action that could return.</summary>
        private Resolved? External(TenantModel tenant, string action, RoutedNumber n, int rule)
        {
            var known = ExternalsOf(tenant);
            if (known.TryGetValue(action, out var calls)) return new Resolved(AssignmentType.External, "", calls);
            if (CheckedExternal(tenant, action, n, rule) is not { } text) return null;
            var block = ExternalBlock(tenant, text);
            known[action] = block.Plain!;
            return block;
        }

        /// <summary>The block of an EXTERNAL action already checked (<paramref name="text"/> is its checked form).</summary>
        private Resolved ExternalBlock(TenantModel tenant, string text)
        {
            var known = ExternalsOf(tenant);
            if (!known.TryGetValue(text, out var calls))
                known[text] = calls = text.StartsWith("Goto(", StringComparison.Ordinal) || text.StartsWith("Hangup(", StringComparison.Ordinal) ? [text] : [text, "Hangup()"];
            return new Resolved(AssignmentType.External, "", calls);
        }

        private Dictionary<string, string[]> ExternalsOf(TenantModel tenant) =>
            (_externals ??= new Dictionary<string, string[]>?[_tenants.Length])[tenant.Index] ??= new(StringComparer.Ordinal);

        private Resolved? ExternalRefused(TenantModel tenant, string? action, RoutedNumber n, int rule)
        {
            CheckedExternal(tenant, action, n, rule);
            return null;
        }
    }
}
