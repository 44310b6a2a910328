using Did.Dialplan;
using Did.Infrastructure.Validation;
using FluentValidation;

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

    public static void ValidateOptions<T>(this AbstractValidator<T> v, Func<T, IReadOnlyDictionary<string, IvrDestination>?> options)
    {
        v.RuleFor(x => options(x)).Must(o => o is null || o.Count <= 12).WithName("options").WithMessage("'options' has at most 12 keys (0-9, *, #).");
        v.RuleForEach(x => options(x)).ChildRules(kv =>
        {
            kv.RuleFor(e => e.Key).MatchesWhole(KeyPattern).WithName("options").WithMessage("Option key '{PropertyValue}' must be one of 0-9, * or #.");
            kv.RuleFor(e => e.Value).NotNull().WithMessage(e => $"Option '{e.Key}' must be a destination (you sent null).")
                .SetValidator(new DestinationValidator()).OverridePropertyName("destination");
        }).OverridePropertyName("options");
    }
}
