using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Validators;

namespace Did.Infrastructure.Validation;

/// <summary>The whole value must match a pattern written for ECMA-262 and anchored with <c>^...$</c>, as the OpenAPI
/// document publishes it to SDKs. In ECMA-262 (no m flag) <c>$</c> is the end of the input; in .NET it also matches
/// before a final newline, so <c>^[a-z]+$</c> accepts "acme\n". This validator runs the pattern as
/// <c>^(?:...)\z</c>, the true end of input, and still reports the published pattern as its
/// <see cref="IRegularExpressionValidator.Expression"/>. A null value is left to NotNull/NotEmpty, as with Matches.</summary>
public sealed class WholeMatchValidator<T> : PropertyValidator<T, string?>, IRegularExpressionValidator
{
    private readonly Regex _regex;

    public WholeMatchValidator(string pattern)
    {
        Expression = pattern;
        _regex = WholeMatch.Of(pattern);
    }

    public override string Name => "RegularExpressionValidator";

    /// <summary>The pattern as published (ECMA-262, <c>^...$</c>).</summary>
    public string Expression { get; }

    public override bool IsValid(ValidationContext<T> context, string? value) => value is null || _regex.IsMatch(value);

    protected override string GetDefaultMessageTemplate(string errorCode) => "'{PropertyName}' must match " + Expression + ".";
}

/// <summary>A published pattern (ECMA-262, <c>^...$</c>) as .NET runs it to the true end of input, for code that checks a
/// value outside a validator's rule, such as a map's keys or a query value read after it.</summary>
public static class WholeMatch
{
    public static Regex Of(string pattern)
    {
        if (pattern.Length < 2 || pattern[0] != '^' || pattern[^1] != '$' || pattern[^2] == '\\')
            throw new ArgumentException($"A validation pattern is anchored at both ends with ^ and $: '{pattern}'.", nameof(pattern));
        // The group keeps a top-level alternation (^a|b$) whole: both ends bind to every alternative.
        return new Regex(@"^(?:" + pattern[1..^1] + @")\z", RegexOptions.CultureInvariant);
    }
}
