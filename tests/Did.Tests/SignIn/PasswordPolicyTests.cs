using Did.Infrastructure.Auth;
using Did.Infrastructure.Bootstrap;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>The password policy itself, and the start-up rule for the first admin's password.</summary>
public sealed class PasswordPolicyTests
{
    [TestCase("correct-horse-battery")]
    [TestCase("a-long-password")]
    public void A_long_uncommon_password_is_accepted(string password) =>
        Assert.That(PasswordPolicy.Violation(password), Is.Null);

    [TestCase("short", PasswordPolicy.TooShort)]
    [TestCase("123456789qwe", PasswordPolicy.TooCommon)]
    [TestCase("Administrator", PasswordPolicy.TooCommon)]
    public void A_short_or_common_password_is_refused(string password, string violation) =>
        Assert.That(PasswordPolicy.Violation(password), Is.EqualTo(violation));

    [Test]
    public void A_password_is_measured_in_utf8_bytes_against_bcrypts_72()
    {
        Assert.That(PasswordPolicy.Violation(new string('€', 24)), Is.Null, "24 characters, 72 bytes");
        Assert.That(PasswordPolicy.Violation(new string('€', 25)), Is.EqualTo(PasswordPolicy.TooLong), "25 characters, 75 bytes");
    }

    [Test]
    public async Task The_service_refuses_to_start_with_a_first_admin_password_shorter_than_12_characters()
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DID_ADMIN_EMAIL"] = "admin@did.local",
                ["DID_ADMIN_PASSWORD"] = "admin-12345",
            }).Build())
            .BuildServiceProvider();
        var e = Assert.ThrowsAsync<InvalidOperationException>(() => FirstAdmin.EnsureAsync(services));
        Assert.That(e!.Message, Is.EqualTo("DID_ADMIN_PASSWORD must be at least 12 characters."));
    }
}
