using Did.Infrastructure.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>A fixture of its own: no unknown email has signed in here, so only start-up can have built the decoy.</summary>
public sealed class DecoyHashTests : ApiFixture
{
    [Test]
    public void The_decoy_hash_for_unknown_emails_is_built_at_start_up_not_by_the_first_miss() =>
        Assert.That(App.Services.GetRequiredService<PasswordHasher>().DecoyBuilt, Is.True);
}
