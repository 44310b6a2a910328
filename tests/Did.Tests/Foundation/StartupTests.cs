using Did.Infrastructure.Auth;
using Did.Infrastructure.Hosting;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class StartupTests
{
    private static IConfiguration With(string? key) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DID_JWT_KEY"] = key }).Build();

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Service_refuses_to_start_without_a_jwt_key(string? key)
    {
        var e = Assert.Throws<InvalidSettingException>(() => JwtKey.FromConfiguration(With(key)));
        Assert.That(e!.Message, Does.Contain("DID_JWT_KEY is not set"));
    }

    [Test]
    public void Service_refuses_a_jwt_key_shorter_than_256_bits()
    {
        var e = Assert.Throws<InvalidSettingException>(() => JwtKey.FromConfiguration(With("short-key")));
        Assert.That(e!.Message, Does.Contain("too short"));
    }

    [Test]
    public void A_32_byte_key_is_accepted() =>
        Assert.That(JwtKey.FromConfiguration(With(new string('k', 32))).Key.KeySize, Is.EqualTo(256));
}
