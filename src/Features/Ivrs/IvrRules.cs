using System.Text.RegularExpressions;
using Did.Dialplan;
using Did.Infrastructure.Validation;
using FluentValidation;
using FluentValidation.Results;

namespace Did.Features.Ivrs;

/// <summary>Field rules shared by create and update. Names and greetings end up inside dialplan context names and
/// application arguments, so they are restricted to characters that cannot break a line or an argument list.</summary>
internal static class IvrRules
{
    public const string NamePattern = "^[a-z0-9-]{1,40}$";
    public const string GreetingPattern = "^[A-Za-z0-9_/-]{1,128}$";
    public const string KeyPattern = "^[0-9*#]$";

    public static IRuleBuilderOptions<T, string?> IvrName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(NamePattern).WithMessage("'{PropertyName}' must match " + NamePattern + " (you sent '{PropertyValue}').");

    public static IRuleBuilderOptions<T, string?> Greeting<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MatchesWhole(GreetingPattern).WithMessage("'{PropertyName}' must be a sound file name matching " + GreetingPattern + " (you sent '{PropertyValue}').")
            .Must(g => g is null || !g.StartsWith('/') && !g.Contains("//")).WithMessage("'{PropertyName}' must be a relative sound name.");

    public sealed class DestinationValidator : AbstractValidator<IvrDestination>
    {
        public DestinationValidator()
        {
            RuleFor(d => d.Id).NotNull().When(d => d.Type != DestinationType.Hangup)
                .WithMessage("'id' is required for USER, IVR and QUEUE destinations.");
            RuleFor(d => d.Id).Null().When(d => d.Type == DestinationType.Hangup)
                .WithMessage("'id' must be empty for a HANGUP destination.");
        }
    }

    private static readonly Regex Key = WholeMatch.Of(KeyPattern);
    private static readonly DestinationValidator Destination = new();

    /// <summary>Errors are keyed by where the value sits in the body, as everywhere in the API (<c>rules[1].destination.id</c>):
    /// options is an object, so an option is <c>options.&lt;key&gt;</c> and its id <c>options.&lt;key&gt;.id</c>, the key the
    /// tenant check names too (<see cref="IvrStore.Targets"/>).</summary>
    public static void ValidateOptions<T>(this AbstractValidator<T> v, Func<T, IReadOnlyDictionary<string, IvrDestination>?> options)
    {
        v.RuleFor(x => options(x)).Must(o => o is null || o.Count <= 12).OverridePropertyName("options")
            .WithMessage("'options' has at most 12 keys (0-9, *, #).");
        v.RuleFor(x => options(x)).Custom((o, context) =>
        {
            foreach (var (key, destination) in o ?? new Dictionary<string, IvrDestination>())
            {
                var at = "options." + key;
                if (!Key.IsMatch(key))
                    context.AddFailure(new ValidationFailure(at, $"Option key '{key}' must be one of 0-9, * or #.", key));
                else if (destination is null)
                    context.AddFailure(new ValidationFailure(at, $"Option '{key}' must be a destination (you sent null).", null));
                else
                    foreach (var e in Destination.Validate(destination).Errors)
                        context.AddFailure(new ValidationFailure($"{at}.{e.PropertyName}", e.ErrorMessage, e.AttemptedValue));
            }
        });
    }
}
