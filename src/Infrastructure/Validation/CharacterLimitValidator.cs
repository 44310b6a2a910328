using FluentValidation;
using FluentValidation.Validators;

namespace Did.Infrastructure.Validation;

/// <summary>At most <see cref="Max"/> characters, counted as PostgreSQL's <c>varchar(n)</c> and JSON Schema's
/// <c>maxLength</c> count them: code points of the text as stored, composed (NFC). .NET's own length counts UTF-16 units,
/// so 150 emoji were "300 characters" and refused by a limit of 200 that the column holds; and a few letters compose to
/// two characters, so a name could pass here and not fit its column. The OpenAPI document reads the limit as any
/// length rule's (<see cref="ILengthValidator"/>). A null value is left to NotNull/NotEmpty.</summary>
public sealed class CharacterLimitValidator<T>(int max) : PropertyValidator<T, string?>, ILengthValidator
{
    public override string Name => "CharacterLimitValidator";

    public int Min => 0;

    public int Max { get; } = max;

    public override bool IsValid(ValidationContext<T> context, string? value)
    {
        if (value is null) return true;
        var characters = Characters(value);
        if (characters <= Max) return true;
        context.MessageFormatter.AppendArgument("MaxLength", Max).AppendArgument("TotalLength", characters);
        return false;
    }

    /// <summary>The code points of <paramref name="value"/> composed: how many characters it takes in the database.</summary>
    public static int Characters(string value)
    {
        string composed;
        try
        {
            composed = value.Normalize(System.Text.NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            composed = value; // half a surrogate pair, which has no composed form: counted as one character
        }
        var count = 0;
        foreach (var _ in composed.EnumerateRunes()) count++;
        return count;
    }

    protected override string GetDefaultMessageTemplate(string errorCode) =>
        "The length of '{PropertyName}' must be {MaxLength} characters or fewer. You entered {TotalLength} characters.";
}
