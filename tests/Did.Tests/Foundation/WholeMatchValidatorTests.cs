using Did.Infrastructure.Validation;
using FluentValidation;
using FluentValidation.Validators;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class WholeMatchValidatorTests
{
    private sealed record Named(string? Name);

    private sealed class SlugValidator : AbstractValidator<Named>
    {
        public SlugValidator() => RuleFor(n => n.Name).MatchesWhole(Rules.SlugPattern);
    }

    [TestCase("acme", true)]
    [TestCase("acme\n", false)]
    [TestCase("acme\r\n", false)]
    [TestCase("\nacme", false)]
    [TestCase("ac\nme", false)]
    [TestCase("Acme", false)]
    [TestCase(null, true)]
    public void Matches_the_whole_value_only(string? value, bool valid) =>
        Assert.That(new SlugValidator().Validate(new Named(value)).IsValid, Is.EqualTo(valid));

    [Test]
    public void Net_dollar_alone_would_accept_a_trailing_newline() =>
        // The reason this validator exists: FluentValidation's Matches uses .NET's $.
        Assert.That(System.Text.RegularExpressions.Regex.IsMatch("acme\n", Rules.SlugPattern), Is.True);

    [Test]
    public void A_top_level_alternation_is_anchored_at_both_ends()
    {
        var v = new InlineValidator<Named>();
        v.RuleFor(n => n.Name).MatchesWhole("^ab|cd$");
        Assert.That(v.Validate(new Named("abx")).IsValid, Is.False);
        Assert.That(v.Validate(new Named("xcd")).IsValid, Is.False);
        Assert.That(v.Validate(new Named("cd")).IsValid, Is.True);
    }

    [Test]
    public void Publishes_the_pattern_as_written_for_the_openapi_document() =>
        Assert.That(new WholeMatchValidator<Named>(Rules.SlugPattern).Expression, Is.EqualTo("^[a-z][a-z0-9-]{1,30}$"));

    [TestCase("[a-z]+$")]
    [TestCase("^[a-z]+")]
    [TestCase(@"^[a-z]+\$")]
    public void Refuses_a_pattern_not_anchored_at_both_ends(string pattern) =>
        Assert.Throws<ArgumentException>(() => _ = new WholeMatchValidator<Named>(pattern));

    [Test]
    public void No_validator_of_the_service_uses_a_dollar_anchored_regex_of_its_own()
    {
        var validators = typeof(Program).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition && typeof(IValidator).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IValidator)Activator.CreateInstance(t)!)
            .ToList();
        Assert.That(validators, Has.Count.GreaterThan(10));
        var offenders =
            from validator in validators
            from member in validator.CreateDescriptor().GetMembersWithValidators()
            from rule in member
            let type = rule.Validator.GetType()
            where rule.Validator is IRegularExpressionValidator && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(WholeMatchValidator<>))
            select $"{validator.GetType().FullName}.{member.Key}";
        Assert.That(offenders, Is.Empty, "use MatchesWhole, not Matches");
    }
}
