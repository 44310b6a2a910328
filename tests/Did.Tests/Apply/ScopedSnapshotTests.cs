using Did.Dialplan;
using Did.Features.Apply;
using Did.Tests.Dialplan;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>The deployed state and the scoped snapshot, as pure data: what is stored renders to the same bytes, and a
/// scoped snapshot takes the scope from the database and every other tenant from what is deployed.</summary>
public sealed class ScopedSnapshotTests
{
    [Test]
    public void A_stored_part_renders_to_the_same_bytes_as_the_data_it_was_made_of()
    {
        var snapshot = RouteSamples.Routed();
        var stored = ScopedSnapshot.Split(snapshot).Values.Select(p => DeployedState.FromJson(DeployedState.ToJson(p)));
        var again = RenderedDialplan.Of(ScopedSnapshot.Join(stored));
        var original = RenderedDialplan.Of(snapshot);
        Assert.That(again.Extensions, Is.EqualTo(original.Extensions));
        Assert.That(again.Queues, Is.EqualTo(original.Queues));
    }

    [Test]
    public void A_part_is_stored_in_the_form_earlier_versions_stored_so_their_hashes_still_hold()
    {
        // The stored form was written by System.Text.Json's reflection serializer with enums by name; a part hashed
        // differently would look changed to every apply after an upgrade.
        var reflection = new JsonSerializerOptions(JsonSerializerDefaults.General) { Converters = { new JsonStringEnumConverter() } };
        var parts = ScopedSnapshot.Split(RouteSamples.Routed() with { Quarantined = [new("+15550009999", Samples.Acme)] }).Values.ToList();
        Assert.That(parts.Any(p => p.Tenant.Schedules is { Count: > 0 } && p.Numbers.Any(n => n.Options is { Rules.Count: > 0 }) && p.Quarantined is not null));
        foreach (var part in parts)
            Assert.That(DeployedState.ToJson(part), Is.EqualTo(JsonSerializer.Serialize(DeployedState.Canonical(part), reflection)));
    }

    [Test]
    public void The_same_part_in_another_order_is_stored_as_the_same_bytes()
    {
        var part = ScopedSnapshot.Split(RouteSamples.Routed())[Samples.Acme];
        var shuffled = new TenantPart(part.Tenant with { Users = [.. part.Tenant.Users.Reverse()], Ivrs = [.. part.Tenant.Ivrs.Reverse()] },
            [.. part.Numbers.Reverse()]);
        Assert.That(DeployedState.ToJson(shuffled), Is.EqualTo(DeployedState.ToJson(part)));
    }

    [Test]
    public void A_scoped_snapshot_takes_the_scope_from_the_database_and_every_other_tenant_as_deployed()
    {
        var deployed = Samples.Small();
        var parts = ScopedSnapshot.Split(deployed);
        var beta = parts[Samples.Beta];
        // Since the deploy: Acme routes a new number, Beta routes one more and lost one of its numbers to Acme.
        var moved = beta.Numbers[0];
        var now = deployed with
        {
            Numbers =
            [
                .. deployed.Numbers.Where(n => n != moved),
                moved with { TenantId = Samples.Acme, Type = AssignmentType.User, TargetId = Samples.Alice },
                new RoutedNumber("+15550009991", Samples.Acme, AssignmentType.User, Samples.Alice, null),
                new RoutedNumber("+15550009992", Samples.Beta, AssignmentType.User, Samples.Dave, null),
            ],
        };

        var (snapshot, scoped, asDeployed) = ScopedSnapshot.Build(now, parts, ApplyScope.Tenant(Samples.Acme));
        var numbers = snapshot.Numbers.ToDictionary(n => n.Number, n => n.TenantId);
        Assert.That(numbers["+15550009991"], Is.EqualTo(Samples.Acme), "the scope's pending change is deployed");
        Assert.That(numbers, Does.Not.ContainKey("+15550009992"), "another tenant's pending change stays pending");
        Assert.That(numbers[moved.Number], Is.EqualTo(Samples.Acme), "a number goes with whoever holds it now");
        Assert.That(scoped[Samples.Beta].Numbers.Select(n => n.Number), Is.EquivalentTo(beta.Numbers.Skip(1).Select(n => n.Number)));
        Assert.That(snapshot.Tenants.Single(t => t.Id == Samples.Beta), Is.SameAs(beta.Tenant), "Beta as deployed");
        Assert.That(asDeployed, Is.Empty, "Beta lost a number: its part is no longer the deployed one");
    }

    [Test]
    public void A_tenant_never_deployed_stays_out_of_another_tenants_apply()
    {
        var now = Samples.Small();
        var (snapshot, parts, _) = ScopedSnapshot.Build(now, new Dictionary<Guid, TenantPart>(), ApplyScope.Tenant(Samples.Acme));
        Assert.That(snapshot.Tenants.Select(t => t.Id), Is.EqualTo(new[] { Samples.Acme }));
        Assert.That(snapshot.Numbers.Select(n => n.TenantId), Is.All.EqualTo(Samples.Acme));
        Assert.That(parts.Keys, Is.EqualTo(new[] { Samples.Acme }));
    }

    [Test]
    public void A_union_of_scopes_is_the_platform_when_either_is()
    {
        Assert.That(ApplyScope.Tenant(Samples.Acme).Union(ApplyScope.Tenant(Samples.Beta)).Tenants, Is.EquivalentTo(new[] { Samples.Acme, Samples.Beta }));
        Assert.That(ApplyScope.Tenant(Samples.Acme).Union(ApplyScope.Platform).IsPlatform, Is.True);
    }

    [Test]
    public void Quarantined_numbers_go_with_the_tenant_they_came_from()
    {
        var deployed = Samples.Small() with
        {
            Quarantined = [new QuarantinedNumber("+15550008881", Samples.Beta), new QuarantinedNumber("+15550008882", Samples.Beta)],
        };
        var parts = ScopedSnapshot.Split(deployed);
        // Since the deploy: Beta's first number left quarantine and Acme routes it; Acme gave up a number; Beta one more.
        var now = deployed with
        {
            Numbers = [.. deployed.Numbers, new RoutedNumber("+15550008881", Samples.Acme, AssignmentType.User, Samples.Alice, null)],
            Quarantined =
            [
                new QuarantinedNumber("+15550008882", Samples.Beta), new QuarantinedNumber("+15550008883", Samples.Acme),
                new QuarantinedNumber("+15550008884", Samples.Beta), new QuarantinedNumber("+15550008885", null),
            ],
        };

        var (snapshot, scoped, _) = ScopedSnapshot.Build(now, parts, ApplyScope.Tenant(Samples.Acme));

        Assert.That(snapshot.Quarantined!.Select(q => q.Number), Is.EqualTo(new[] { "+15550008882", "+15550008883", "+15550008885" }),
            "Acme's own from the database, Beta's as deployed less the number Acme now routes, and the one of a deleted tenant");
        Assert.That(snapshot.Numbers.Single(n => n.Number == "+15550008881").TenantId, Is.EqualTo(Samples.Acme));
        Assert.That(scoped[Samples.Beta].Quarantined!.Select(q => q.Number), Is.EqualTo(new[] { "+15550008882" }));
        Assert.That(DeployedState.FromJson(DeployedState.ToJson(scoped[Samples.Beta])).Quarantined!.Single().Number, Is.EqualTo("+15550008882"),
            "a part keeps its quarantined numbers when stored");
    }
}
