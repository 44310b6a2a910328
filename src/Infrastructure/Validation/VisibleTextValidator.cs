using FluentValidation;
using FluentValidation.Validators;

namespace Did.Infrastructure.Validation;

/// <summary>Refuses text holding an invisible character (<see cref="InvisibleCharacters"/>) other than the joiners ZWNJ
/// and ZWJ, and names the character by its code point and position, never echoing it. A null value is left to
/// NotNull/NotEmpty.</summary>
public sealed class VisibleTextValidator<T> : PropertyValidator<T, string?>
{
    public override string Name => "VisibleTextValidator";

    public override bool IsValid(ValidationContext<T> context, string? value)
    {
        if (value is null || InvisibleCharacters.First(value, allowJoiners: true) is not { } found) return true;
        context.MessageFormatter
            .AppendArgument("Character", InvisibleCharacters.Describe(found.Character))
            .AppendArgument("Position", found.Position);
        return false;
    }

    protected override string GetDefaultMessageTemplate(string errorCode) =>
        "'{PropertyName}' must not contain invisible characters (direction overrides and isolates, zero-width spaces, "
        + "byte order marks, soft hyphens, line separators...): you sent {Character} at character {Position}.";
}
