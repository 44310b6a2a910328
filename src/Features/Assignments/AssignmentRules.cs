using Did.Dialplan;
using Did.Infrastructure.Json;
using Did.Infrastructure.Validation;
using FluentValidation;

namespace Did.Features.Assignments;

/// <summary>The rules of a route's body that need no database: the shape of each destination, of each rule, and of the
/// route as a whole. Caller-ID prefixes end up compared inside the dialplan, so they are "+" and digits and nothing
/// else: quotes, ${...}, parentheses, commas, pipes and newlines never get past this.</summary>
internal static class AssignmentRules
{
    public const int MaxRules = 20;
    public const string CallerIdPrefixPattern = @"^\+[0-9]{1,15}$";
    public const string WithheldPattern = "^WITHHELD$";
    public const int MinRingSeconds = 5;
    public const int MaxRingSeconds = 600;

    public sealed class DestinationValidator : AbstractValidator<RouteDestinationRequest>
    {
        public DestinationValidator()
        {
            RuleFor(d => d.Id).NotNull().When(d => d.Type != AssignmentType.External)
                .WithMessage("'id' is required for USER, IVR and QUEUE destinations.");
            RuleFor(d => d.Value).Null().When(d => d.Type != AssignmentType.External)
                .WithMessage(d => $"'value' is only for EXTERNAL destinations, and this one is {ApiJson.Name(d.Type)} (you sent '{EchoedValue.Of(d.Value)}').");
            RuleFor(d => d.Value).NotEmpty().When(d => d.Type == AssignmentType.External)
                .WithMessage("'value' is required for EXTERNAL destinations.");
            RuleFor(d => d.Id).Null().When(d => d.Type == AssignmentType.External)
                .WithMessage("'id' must be empty for EXTERNAL destinations.");
        }
    }

    public sealed class RuleValidator : AbstractValidator<RouteRuleRequest>
    {
        public RuleValidator()
        {
            RuleFor(r => r.CallerIdPrefix).MatchesWhole(CallerIdPrefixPattern)
                .WithMessage("'caller_id_prefix' is + and 1 to 15 digits, e.g. +44 (you sent '{PropertyValue}').");
            RuleFor(r => r.CallerId).MatchesWhole(WithheldPattern)
                .WithMessage("'caller_id' can only be WITHHELD: a call without a usable number (you sent '{PropertyValue}').");
            RuleFor(r => r.CallerId).Null().When(r => r.CallerIdPrefix is not null)
                .WithMessage("A rule has at most one caller condition: caller_id_prefix or caller_id, not both.");
            RuleFor(r => r.When).NotNull().When(r => r.ScheduleId is not null)
                .WithMessage("'when' (OPEN, CLOSED or HOLIDAY) is required with 'schedule_id'.");
            RuleFor(r => r.ScheduleId).NotNull().When(r => r.When is not null)
                .WithMessage("'schedule_id' is required with 'when'.");
            RuleFor(r => r.Destination).NotNull().SetValidator(new DestinationValidator());
        }
    }

    /// <summary>ring_seconds, failover and rules of an assign body.</summary>
    public static void ValidateRoute(this AbstractValidator<AssignDidRequest> v)
    {
        v.RuleFor(r => r.RingSeconds).InclusiveBetween(MinRingSeconds, MaxRingSeconds)
            .WithMessage($"'ring_seconds' must be {MinRingSeconds} to {MaxRingSeconds} seconds (you sent {{PropertyValue}}).");
        v.RuleFor(r => r.RingSeconds).Null().When(r => !Destinations(r).Contains(AssignmentType.User))
            .WithMessage(r => $"'ring_seconds' is how long a USER rings, and this route rings no user: neither its default ({Sent(r)}) " +
                $"nor a rule sends calls to a USER (you sent {r.RingSeconds}).");
        v.RuleFor(r => r.Failover!).SetValidator(new DestinationValidator()).When(r => r.Failover is not null);
        v.RuleFor(r => r.Failover).Null().When(r => !Destinations(r).Any(t => t is AssignmentType.User or AssignmentType.Queue))
            .WithMessage(r => "'failover' takes the calls a USER or QUEUE does not, and this route has neither: neither its default " +
                $"({Sent(r)}) nor a rule sends calls to a USER or QUEUE (you sent {Sent(r.Failover!)}).");
        v.RuleFor(r => r.Rules).Must(rules => rules is null || rules.Count <= MaxRules)
            .WithMessage((_, rules) => $"'rules' holds at most {MaxRules} rules (you sent {rules!.Count}).");
        v.RuleForEach(r => r.Rules).NotNull().WithMessage("A rule must not be null.").SetValidator(new RuleValidator());
        v.RuleFor(r => r.Rules).Custom((rules, context) =>
        {
            var first = new Dictionary<(string?, string?, Guid?, ScheduleCondition?), int>();
            for (var i = 0; i < (rules?.Count ?? 0); i++)
            {
                if (rules![i] is not { } rule) continue;
                var conditions = (rule.CallerIdPrefix, rule.CallerId, rule.ScheduleId, rule.When);
                if (conditions == default)
                    context.AddFailure($"rules[{i}]", $"rules[{i}] needs a condition: caller_id_prefix, caller_id, or schedule_id with when.");
                else if (!first.TryAdd(conditions, i))
                    context.AddFailure($"rules[{i}]",
                        $"rules[{i}] has the same conditions as rules[{first[conditions]}] ({Conditions(rule)}), which is tried first, " +
                        "so it could never decide.");
                else if (TakenBy(rules, i) is { Count: > 0 } takers)
                    context.AddFailure($"rules[{i}]", $"rules[{i}] ({Conditions(rule)}) could never decide: " + (takers.Count == 1
                        ? $"rules[{takers[0]}] ({Conditions(rules[takers[0]]!)}) is tried first and takes every call it matches."
                        : string.Join(", ", takers.Select(j => $"rules[{j}] ({Conditions(rules[j]!)})"))
                          + " are tried first and between them take every call it matches."));
            }
        });
    }

    /// <summary>The earlier rules that take every call rule <paramref name="index"/> matches, so that it could never decide:
    /// the one that does alone, else all that take some of its calls; empty when some call reaches it.
    /// <para>A call is its caller ID and, for each schedule, one of three states: OPEN, CLOSED outside its closed dates, or
    /// HOLIDAY (CLOSED holds in both of the last two). Every state of every schedule counts as possible, since a schedule's
    /// hours and dates may change after the route is saved: a rule is refused only when no schedule could let a call
    /// reach it. Callers fall into classes by the conditions they meet, and one caller stands for each class the rule
    /// matches: withheld (no digit, so no prefix holds); a number that no prefix starts ("1"); for a prefix p, the caller
    /// "p" itself, which meets only the prefixes that p starts with, the fewest that any caller meeting p meets, so when
    /// "p" is taken every such caller is.</para></summary>
    internal static IReadOnlyList<int> TakenBy(IReadOnlyList<RouteRuleRequest?> rules, int index)
    {
        var rule = rules[index];
        if (rule is null || !IsWellFormed(rule)) return [];
        var earlier = Enumerable.Range(0, index).Where(j => rules[j] is { } r && IsWellFormed(r)).ToList();
        if (!Taken(rule, earlier.Select(j => rules[j]!))) return [];
        foreach (var j in earlier)
            if (Taken(rule, [rules[j]!])) return [j];
        return earlier.Where(j => Callers(rule).Any(caller => CallerHolds(rules[j]!, caller)) && SharesAState(rule, rules[j]!)).ToList();
    }

    private const int Open = 1, ClosedOnly = 2, Holiday = 4, AnyState = Open | ClosedOnly | Holiday;

    private static int States(ScheduleCondition when) => when switch
    {
        ScheduleCondition.Open => Open,
        ScheduleCondition.Closed => ClosedOnly | Holiday,
        _ => Holiday,
    };

    /// <summary>Conditions the other rules of the validator accept, so that what they mean is known.</summary>
    private static bool IsWellFormed(RouteRuleRequest r) =>
        (r.CallerIdPrefix is null || Grammar.IsCallerIdPrefix(r.CallerIdPrefix)) && (r.CallerId is null or "WITHHELD")
        && !(r.CallerIdPrefix is not null && r.CallerId is not null) && r.ScheduleId is null == r.When is null
        && (r.When is not { } w || Enum.IsDefined(w)) && (r.CallerIdPrefix is not null || r.CallerId is not null || r.ScheduleId is not null);

    /// <summary>The callers that stand for the classes a rule's caller condition matches; null is withheld.</summary>
    private static string?[] Callers(RouteRuleRequest r) => r.CallerIdPrefix is { } p ? [p] : r.CallerId is not null ? [null] : [null, "1"];

    private static bool CallerHolds(RouteRuleRequest r, string? caller) =>
        r.CallerIdPrefix is { } p ? caller is not null && caller.StartsWith(p, StringComparison.Ordinal)
        : r.CallerId is null || caller is null;

    /// <summary>Whether some call could meet both rules' schedule conditions.</summary>
    private static bool SharesAState(RouteRuleRequest a, RouteRuleRequest b) =>
        a.ScheduleId is not { } s || b.ScheduleId != s || (States(a.When!.Value) & States(b.When!.Value)) != 0;

    /// <summary>Whether every call that meets <paramref name="rule"/> meets one of <paramref name="takers"/>: for each caller
    /// that stands for the rule, the takers that caller meets leave no state of some schedule in which the rule holds.</summary>
    private static bool Taken(RouteRuleRequest rule, IEnumerable<RouteRuleRequest> takers)
    {
        var list = takers.ToList();
        foreach (var caller in Callers(rule))
        {
            var left = new Dictionary<Guid, int>();
            if (rule.ScheduleId is { } own) left[own] = States(rule.When!.Value);
            var taken = false;
            foreach (var t in list.Where(t => CallerHolds(t, caller)))
            {
                if (t.ScheduleId is not { } s) { taken = true; break; }
                left[s] = left.GetValueOrDefault(s, AnyState) & ~States(t.When!.Value);
                if (left[s] == 0) { taken = true; break; }
            }
            if (!taken) return false;
        }
        return true;
    }

    /// <summary>A route's default as sent, for an error: "QUEUE 6f1c..." or "EXTERNAL 'Hangup()'".</summary>
    private static string Sent(AssignDidRequest r) => Sent(r.AssignedType, r.AssignedId, r.AssignedValue);

    private static string Sent(RouteDestinationRequest d) => Sent(d.Type, d.Id, d.Value);

    private static string Sent(AssignmentType type, Guid? id, string? value) =>
        ApiJson.Name(type) + (id is { } g ? $" {g}" : "") + (value is null ? "" : $" '{EchoedValue.Of(value)}'");

    /// <summary>A rule's conditions as sent, for an error: "caller_id_prefix '+44', schedule_id 6f1c... when OPEN".</summary>
    private static string Conditions(RouteRuleRequest rule)
    {
        var parts = new List<string>();
        if (rule.CallerIdPrefix is not null) parts.Add($"caller_id_prefix '{EchoedValue.Of(rule.CallerIdPrefix)}'");
        if (rule.CallerId is not null) parts.Add($"caller_id '{EchoedValue.Of(rule.CallerId)}'");
        if (rule.ScheduleId is { } s) parts.Add($"schedule_id {s}");
        if (rule.When is { } w) parts.Add($"when {ApiJson.Name(w)}");
        return string.Join(", ", parts);
    }

    /// <summary>The types a route may send a call to: its default and each rule's destination.</summary>
    private static IEnumerable<AssignmentType> Destinations(AssignDidRequest r) =>
        (r.Rules ?? []).Where(rule => rule?.Destination is not null).Select(rule => rule.Destination.Type).Append(r.AssignedType);
}
