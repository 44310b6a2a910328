using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class DialplanRefusalTests
{
    private static readonly Guid Acme = Guid.CreateVersion7(), Beta = Guid.CreateVersion7();

    private static readonly DialplanException Refused = new([
        new DialplanProblem(Acme, "tenant 'acme': IVR 'main' greeting '/etc/passwd' must not start with '/'"),
        new DialplanProblem(Beta, "number '+15550001111': EXTERNAL action 'System(id)' refused"),
        new DialplanProblem(null, "settings: FallbackAction 'Dial(x)' refused"),
    ]);

    private static string[] Listed(Microsoft.AspNetCore.Mvc.ProblemDetails p) => (string[])p.Extensions["problems"]!;

    [Test]
    public void A_tenant_admin_sees_its_own_problems_and_only_the_number_of_the_others()
    {
        var p = DialplanRefusal.ToProblem(Refused, Role.TenantAdmin, Acme);

        Assert.That(p.Status, Is.EqualTo(409));
        Assert.That(Listed(p), Is.EqualTo(new[] { Refused.Problems[0].Message }));
        Assert.That(p.Extensions["problems_outside_your_tenant"], Is.EqualTo(2));
        Assert.That(p.Detail, Does.Contain("IVR 'main'").And.Contain("2 problem(s) outside your tenant"));
        Assert.That(p.Detail, Does.Not.Contain("System").And.Not.Contain("+15550001111").And.Not.Contain("FallbackAction"));
    }

    [Test]
    public void A_tenant_admin_without_problems_of_its_own_learns_only_that_others_stop_the_render()
    {
        var p = DialplanRefusal.ToProblem(Refused, Role.TenantAdmin, Guid.CreateVersion7());

        Assert.That(Listed(p), Is.Empty);
        Assert.That(p.Detail, Is.EqualTo("The dialplan cannot be rendered from the current data. 3 problem(s) outside your tenant also stop it; a platform admin must fix those."));
    }

    [TestCase(Role.PlatformAdmin)]
    [TestCase(Role.Support)]
    public void A_platform_role_sees_every_problem(Role role)
    {
        var p = DialplanRefusal.ToProblem(Refused, role, null);

        Assert.That(Listed(p), Is.EqualTo(Refused.Messages.ToArray()));
        Assert.That(p.Extensions["problems_outside_your_tenant"], Is.EqualTo(0));
    }

    [Test]
    public void The_exceptions_own_message_counts_the_problems_and_names_nothing()
    {
        Assert.That(Refused.Message, Is.EqualTo("The dialplan was not rendered: 3 problem(s) in the data of 2 tenant(s) and in the platform settings; a dry run lists the ones its caller may see."));
    }
}
