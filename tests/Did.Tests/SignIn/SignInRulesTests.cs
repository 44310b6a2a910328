using System.Net;
using Did.Features.Auth;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>The pure parts of sign-in throttling: what attempts are counted by, and the backoff schedule.</summary>
public sealed class SignInRulesTests
{
    [TestCase("203.0.113.9", "203.0.113.9/32")]
    [TestCase("::ffff:203.0.113.9", "203.0.113.9/32")]
    [TestCase("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [TestCase("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void Attempts_are_counted_by_ipv4_address_and_by_ipv6_64(string address, string network) =>
        Assert.That(SignInKey.NetworkOf(IPAddress.Parse(address)), Is.EqualTo(network));

    [Test]
    public void A_request_without_an_address_is_counted_under_one_key() =>
        Assert.That(SignInKey.NetworkOf(null), Is.EqualTo("0.0.0.0/32"));

    [Test]
    public void The_email_is_kept_only_as_its_digest() =>
        Assert.That(SignInKey.For(null, "alice@example.com").Account,
            Is.EqualTo(System.Security.Cryptography.SHA256.HashData("alice@example.com"u8.ToArray())));

    [Test]
    public void The_wait_starts_after_the_allowed_failures_and_doubles_up_to_the_maximum() =>
        Assert.That(SignInOptions.Backoff(allowedFailures: 5, firstSeconds: 30, maxSeconds: 900),
            Is.EqualTo(new[] { 0, 0, 0, 0, 30, 60, 120, 240, 480, 900 }));

    [Test]
    public void A_maximum_that_is_not_a_doubling_of_the_first_wait_caps_the_last_step() =>
        Assert.That(SignInOptions.Backoff(allowedFailures: 1, firstSeconds: 60, maxSeconds: 100), Is.EqualTo(new[] { 60, 100 }));

    [Test]
    public void Options_that_would_let_a_count_expire_during_its_wait_are_refused() =>
        Assert.That(new SignInOptions { MaxBackoffSeconds = 900, ForgetAfterSeconds = 600 }.Problem(), Does.Contain("ForgetAfterSeconds"));
}
