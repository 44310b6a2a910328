using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Did.Dialplan;
using Did.Features.Apply;
using Did.Tests.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>An apply makes the stored form of a part only when the part is not, in the same order, the one this process
/// made it of last time: any changed field makes it again, and a part known only by its hash has the same hash as its
/// stored form.</summary>
public sealed class DeployedPartPrepareTests
{
    private static TenantPart Acme() =>
        ScopedSnapshot.Split(RouteSamples.Routed() with { Quarantined = [new("+15550009999", Samples.Acme)] })[Samples.Acme];

    private static string Sha(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    // Every kind of field a part holds, changed one at a time.
    private static IEnumerable<TestCaseData> Changes()
    {
        TestCaseData Case(string what, Func<TenantPart, TenantPart> change) => new TestCaseData(change).SetArgDisplayNames(what);
        static TenantPart Tenant(TenantPart p, Func<TenantSnapshot, TenantSnapshot> f) => p with { Tenant = f(p.Tenant) };
        static TenantPart Number(TenantPart p, string number, Func<RoutedNumber, RoutedNumber> f) =>
            p with { Numbers = [.. p.Numbers.Select(n => n.Number == number ? f(n) : n)] };
        static RoutedNumber Rules(RoutedNumber n, Func<RouteRule, RouteRule> f) => n with { Options = n.Options! with { Rules = [.. n.Options.Rules.Select(f)] } };

        yield return Case("slug", p => Tenant(p, t => t with { Slug = "acme2" }));
        yield return Case("user extension", p => Tenant(p, t => t with { Users = [t.Users[0] with { Extension = "1099" }, .. t.Users.Skip(1)] }));
        yield return Case("user added", p => Tenant(p, t => t with { Users = [.. t.Users, new UserSnapshot(Guid.NewGuid(), "1009")] }));
        yield return Case("ivr option", p => Tenant(p, t => t with
        {
            Ivrs = [t.Ivrs[0] with { Options = new Dictionary<string, Destination>(t.Ivrs[0].Options) { ["1"] = new(DestinationType.Hangup, null) } }, .. t.Ivrs.Skip(1)],
        }));
        yield return Case("ivr option added", p => Tenant(p, t => t with
        {
            Ivrs = [t.Ivrs[0] with { Options = new Dictionary<string, Destination>(t.Ivrs[0].Options) { ["9"] = new(DestinationType.Hangup, null) } }, .. t.Ivrs.Skip(1)],
        }));
        yield return Case("ivr timeout destination", p => Tenant(p, t => t with { Ivrs = [t.Ivrs[0] with { TimeoutDestination = new(DestinationType.User, Samples.Bob) }, .. t.Ivrs.Skip(1)] }));
        yield return Case("queue member order", p => Tenant(p, t => t with { Queues = [t.Queues[0] with { MemberUserIds = [.. t.Queues[0].MemberUserIds.Reverse()] }, .. t.Queues.Skip(1)] }));
        yield return Case("queue wait", p => Tenant(p, t => t with { Queues = [.. t.Queues.Select(q => q with { MaxWaitSeconds = 7 })] }));
        yield return Case("opening interval", p => Tenant(p, t => t with
        {
            Schedules = [t.Schedules![0] with { Open = [t.Schedules[0].Open[0] with { ToMinute = 1000 }, .. t.Schedules[0].Open.Skip(1)] }, .. t.Schedules.Skip(1)],
        }));
        yield return Case("closed date name", p => Tenant(p, t => t with
        {
            Schedules = [.. t.Schedules!.Select(s => s with { Closed = [.. s.Closed.Select(c => c with { Name = "other" })] })],
        }));
        yield return Case("no schedules", p => Tenant(p, t => t with { Schedules = null }));
        yield return Case("number target", p => Number(p, "+15551234567", n => n with { TargetId = Samples.Bob }));
        yield return Case("number gone", p => p with { Numbers = [.. p.Numbers.Skip(1)] });
        yield return Case("ring seconds", p => Number(p, RouteSamples.RingOnlyNumber, n => n with { Options = n.Options! with { RingSeconds = 46 } }));
        yield return Case("failover", p => Number(p, RouteSamples.QueueFailoverNumber, n => n with { Options = n.Options! with { Failover = RouteSamples.User(Samples.Alice) } }));
        yield return Case("rule caller prefix", p => Number(p, RouteSamples.RulesNumber, n => Rules(n, r => r.CallerIdPrefix is null ? r : r with { CallerIdPrefix = "+45" })));
        yield return Case("rule condition", p => Number(p, RouteSamples.RulesNumber, n => Rules(n, r => r.When is ScheduleCondition.Holiday ? r with { When = ScheduleCondition.Open } : r)));
        yield return Case("options on a plain route", p => Number(p, "+15551234567", n => n with { Options = new RouteOptions(null, null, []) }));
        yield return Case("quarantined number", p => p with { Quarantined = [new("+15550009998", Samples.Acme)] });
        yield return Case("none quarantined", p => p with { Quarantined = null });
    }

    [TestCaseSource(nameof(Changes))]
    public void A_part_with_any_field_changed_is_not_the_same_part(Func<TenantPart, TenantPart> change)
    {
        var part = Acme();
        var changed = change(Acme());
        Assert.That(DeployedState.ToJson(changed), Is.Not.EqualTo(DeployedState.ToJson(part)), "the change reaches the stored form");
        Assert.That(SamePart.Equal(DeployedState.Canonical(changed), DeployedState.Canonical(part)), Is.False);
    }

    [Test]
    public void The_same_data_read_again_is_the_same_part()
    {
        var part = DeployedState.Canonical(Acme());
        Assert.That(SamePart.Equal(DeployedState.FromJson(DeployedState.ToJson(part)), part), Is.True);
    }

    [Test]
    public void A_part_stored_when_users_had_an_email_reads_back_as_the_same_part()
    {
        var part = DeployedState.Canonical(Acme());
        var stored = JsonNode.Parse(DeployedState.ToJson(part))!;
        foreach (var user in stored["Tenant"]!["Users"]!.AsArray().ToList())
        {
            var old = new JsonObject { ["Id"] = user!["Id"]!.DeepClone(), ["Email"] = "someone@acme.test", ["Extension"] = user["Extension"]!.DeepClone() };
            user.ReplaceWith(old);
        }
        var json = stored.ToJsonString();
        Assert.That(json, Does.Contain("\"Email\":\"someone@acme.test\",\"Extension\""), "the form stored before users lost their email");

        Assert.That(SamePart.Equal(DeployedState.FromJson(json), part), Is.True);
    }

    [TestCaseSource(nameof(Changes))]
    public void Preparing_again_makes_the_stored_form_of_exactly_the_part_that_changed(Func<TenantPart, TenantPart> change)
    {
        // Tenant ids of their own: what this process prepared for other tests' tenants does not matter here.
        var (changedId, sameId) = (Guid.NewGuid(), Guid.NewGuid());
        ScopedParts Scoped(TenantPart first) =>
            new(new DialplanSnapshot([], []), new Dictionary<Guid, TenantPart> { [changedId] = first, [sameId] = Acme() }, new HashSet<Guid>());
        var before = DeployedState.Prepare(Scoped(Acme()));
        Assert.That(before.Forms.Select(f => f.TenantId), Is.EquivalentTo(new[] { changedId, sameId }), "nothing was made before");

        var changed = change(Acme());
        var after = DeployedState.Prepare(Scoped(changed));

        var form = after.Forms.Single();
        Assert.That(form.TenantId, Is.EqualTo(changedId));
        Assert.That(form.Json, Is.EqualTo(DeployedState.ToJson(changed)));
        Assert.That(form.Sha256, Is.EqualTo(Sha(form.Json)));
        Assert.That(after.Hashes, Is.EquivalentTo(new Dictionary<Guid, string> { [sameId] = Sha(DeployedState.ToJson(Acme())) }),
            "the unchanged part only by its hash, the hash of its stored form");
        Assert.That(DeployedState.Prepare(Scoped(changed)).Forms, Is.Empty, "the changed part is the one remembered now");
    }

    [Test]
    public void The_same_part_in_another_order_has_its_form_made_again_with_the_same_hash()
    {
        var id = Guid.NewGuid();
        ScopedParts Scoped(TenantPart part) => new(new DialplanSnapshot([], []), new Dictionary<Guid, TenantPart> { [id] = part }, new HashSet<Guid>());
        var first = DeployedState.Prepare(Scoped(Acme())).Forms.Single();
        var part = Acme();
        var reordered = part with { Tenant = part.Tenant with { Users = [.. part.Tenant.Users.Reverse()] }, Numbers = [.. part.Numbers.Reverse()] };

        var again = DeployedState.Prepare(Scoped(reordered));

        Assert.That(again.Forms.Single(), Is.EqualTo(first));
        Assert.That(again.Hashes, Is.Empty);
    }

    [Test]
    public void A_part_taken_as_deployed_is_neither_made_nor_hashed()
    {
        var id = Guid.NewGuid();
        var prepared = DeployedState.Prepare(new ScopedParts(new DialplanSnapshot([], []), new Dictionary<Guid, TenantPart> { [id] = Acme() }, new HashSet<Guid> { id }));
        Assert.That(prepared.Forms, Is.Empty);
        Assert.That(prepared.Hashes, Is.Empty);
    }
}
