using Did.Infrastructure.Validation;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>What an error message quotes of a client's value: short, and with nothing that breaks a line.</summary>
public sealed class EchoedValueTests
{
    [TestCase("US", "US")]
    [TestCase("a\nb\tc\u0000d\uFFFD", "a?b?c?d?")]
    [TestCase("0123456789012345678901234567890123456789", "0123456789012345678901234567890123456789")]
    [TestCase("0123456789012345678901234567890123456789x", "0123456789012345678901234567890123456789...")]
    public void A_value_is_quoted_to_40_characters_with_control_characters_as_question_marks(string sent, string quoted) =>
        Assert.That(EchoedValue.Of(sent), Is.EqualTo(quoted));
}
