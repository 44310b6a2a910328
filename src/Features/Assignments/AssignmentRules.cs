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
            .WithMessage($"'rules' holds at most {MaxRules} rules.");
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
            }
        });
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
