using Did.Infrastructure.Validation;
using FluentValidation;
using FluentValidation.Results;

namespace Did.Features.Queues;

internal static class QueueRules
{
    public const string NamePattern = "^[a-z0-9-]{1,40}$";

    public const string MemberRingSecondsDescription =
        "How long the queue rings one member, in seconds (1 to 600), before it moves on to the next member "
        + "(queues.conf 'timeout'). Not how long a caller may wait in the queue. A member's phone only rings: "
        + "an unanswered or unreachable member never sends the caller to that member's voicemail.";

    public const string MaxWaitSecondsDescription =
        "How long a caller may wait in the queue, in seconds (1 to 86400), before the queue gives up (Queue()'s timeout): "
        + "the call then goes to the number's failover, if it has one, or ends. Null: no limit.";

    public static IRuleBuilderOptions<T, int?> MaxWaitSeconds<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(1, 86400).WithMessage("'{PropertyName}' must be 1 to 86400 seconds, or null for no limit (you sent {PropertyValue}).");

    public static IRuleBuilderOptions<T, int?> MemberRingSeconds<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(1, 600).WithMessage("'{PropertyName}' must be 1 to 600 seconds (you sent {PropertyValue}).");

    public static IRuleBuilderOptions<T, int> MemberRingSeconds<T>(this IRuleBuilder<T, int> rule) =>
        rule.InclusiveBetween(1, 600).WithMessage("'{PropertyName}' must be 1 to 600 seconds (you sent {PropertyValue}).");

    public static IRuleBuilderOptions<T, string?> QueueName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(NamePattern).WithMessage("'{PropertyName}' must match " + NamePattern + " (you sent '{PropertyValue}').");

    /// <summary>A user listed again is named where it sits, <c>members[i]</c>, with its id and its first place, so a
    /// script building a long list knows which entry to drop.</summary>
    public static IRuleBuilderOptionsConditions<T, IReadOnlyList<Guid>?> Members<T>(this IRuleBuilder<T, IReadOnlyList<Guid>?> rule) =>
        rule.Must(m => m is null || m.Count <= 500).WithMessage((_, m) => $"'members' holds at most 500 users (you sent {m!.Count}).")
            .Custom((members, context) =>
            {
                var first = new Dictionary<Guid, int>();
                for (var i = 0; i < (members?.Count ?? 0); i++)
                {
                    var user = members![i];
                    if (first.TryAdd(user, i)) continue;
                    var at = $"members[{i}]";
                    context.AddFailure(new ValidationFailure(at, $"'{at}' lists user {user} again: it is members[{first[user]}] already.", user));
                }
            });
}
