using CsCheck;
using Did.Dialplan;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>Names in the switch are collision-free by construction: whatever valid slugs and names tenants choose, no
/// two objects, of one tenant or of two, get the same context or queue name, and every name is one Asterisk keeps
/// whole. Generated slugs and names are mostly words that provoked the old collisions ("ivr", "queue", "members",
/// "tenant") joined with '-', as well as arbitrary valid ones and ones of the longest lengths the API allows.</summary>
public class SwitchNameTests
{
    // A failed property throws a plain exception: CsCheck shrinks it to the smallest input and reports that input.
    private static void Require(bool holds, string what)
    {
        if (!holds) throw new InvalidOperationException(what);
    }

    /// <summary>The scheme's ownership rule: a name is a tenant's when it is <c>tenant-&lt;slug&gt;</c> or starts with
    /// <c>&lt;slug&gt;_</c> ('_' cannot occur in a slug, so "acme_" never starts a name of "acme-x").</summary>
    private static bool BelongsTo(string name, string slug) =>
        name == "tenant-" + slug || (name.Length > slug.Length && name.StartsWith(slug, StringComparison.Ordinal) && name[slug.Length] == '_');

    // Words that made the old names collide, joined with '-' as slugs and names join them.
    private static readonly Gen<string> Word = Gen.OneOf("x", "y", "ivr", "queue", "members", "tenant", "1");

    private static readonly Gen<string> Slug = Gen.Frequency(
        (4, Gen.Select(Gen.OneOf("a", "t"), Word.Array[0, 3], (first, words) => string.Concat(words.Prepend(first).Select((w, i) => i == 0 ? w : "-" + w)))),
        (1, Gen.Select(Gen.Char['a', 'z'], Gen.String[Gen.Char["abz09-"], 1, 30], (first, rest) => first + rest)),
        (1, Gen.Select(Gen.OneOf("a", "t"), Word, (first, w) => (first + "-" + w).PadRight(31, 'z'))))
        .Where(s => Grammar.IsSlug(s));

    private static readonly Gen<string> Name = Gen.Frequency(
        (4, Word.Array[1, 3].Select(words => string.Join('-', words))),
        (1, Gen.String[Gen.Char["abz09-"], 1, 40]),
        (1, Word.Select(w => w.PadRight(40, '9'))))
        .Where(s => Grammar.IsObjectName(s));

    private enum Kind { Users, Members, Ivr, Queue }

    private sealed record SwitchObject(Kind Kind, string Slug, string Name)
    {
        public string Context => Kind switch
        {
            Kind.Users => ContextNames.Tenant(Slug),
            Kind.Members => ContextNames.Members(Slug),
            Kind.Ivr => ContextNames.Ivr(Slug, Name),
            _ => ContextNames.Queue(Slug, Name),
        };
    }

    // A few slugs, most of them extending another by '-' and a word or two: where the old names met.
    private static readonly Gen<string[]> Slugs =
        Gen.Select(Slug, Word.Array[1, 2].Array[0, 4], Slug.Array[0, 2], (root, extensions, others) =>
            extensions.Select(words => root + "-" + string.Join('-', words)).Where(s => Grammar.IsSlug(s))
                .Prepend(root).Concat(others).Distinct().ToArray());

    // Objects of every kind over those slugs (users and members have no name).
    private static readonly Gen<SwitchObject[]> Objects =
        Slugs.SelectMany(slugs =>
            Gen.Select(Gen.Enum<Kind>(), Gen.OneOf(slugs), Name,
                (kind, slug, name) => new SwitchObject(kind, slug, kind is Kind.Users or Kind.Members ? "" : name)).Array[1, 40]);

    [Test]
    public void No_two_objects_of_any_kind_or_tenant_get_the_same_context() =>
        Objects.Sample(objects =>
        {
            var distinct = objects.Distinct().ToList();
            Require(distinct.Select(o => o.Context).Distinct(StringComparer.Ordinal).Count() == distinct.Count,
                string.Join(", ", distinct.Select(o => $"{o} -> {o.Context}")));
        });

    [Test]
    public void No_two_queues_of_any_tenant_get_the_same_queue_name_even_ignoring_case() =>
        Objects.Sample(objects =>
        {
            var queues = objects.Where(o => o.Kind == Kind.Queue).Select(o => (o.Slug, o.Name)).Distinct().ToList();
            Require(queues.Select(q => ContextNames.QueueSection(q.Slug, q.Name)).Distinct(StringComparer.OrdinalIgnoreCase).Count() == queues.Count,
                string.Join(", ", queues));
        });

    [Test]
    public void Every_name_is_one_asterisk_keeps_whole_and_never_a_platform_or_reserved_name() =>
        Objects.Sample(objects =>
        {
            foreach (var o in objects)
                foreach (var name in new[] { o.Context, ContextNames.QueueSection(o.Slug, o.Name == "" ? "q" : o.Name) })
                {
                    Require(name.Length <= ContextNames.MaxLength, name + " is too long");
                    Require(name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_'), name + " has a character outside [a-z0-9_-]");
                    Require(!name.Equals("general", StringComparison.OrdinalIgnoreCase) && !name.Equals("globals", StringComparison.OrdinalIgnoreCase), name);
                    Require(!ContextNames.IsShard(name) && name != ContextNames.FromTrunk, name + " is a platform context");
                }
        });

    [Test]
    public void A_name_belongs_to_its_own_tenant_and_to_no_other() =>
        Objects.Sample(objects =>
        {
            var slugs = objects.Select(o => o.Slug).Distinct().ToList();
            foreach (var o in objects)
                foreach (var slug in slugs)
                {
                    Require(BelongsTo(o.Context, slug) == (slug == o.Slug), $"{o.Context} and tenant {slug}");
                    if (o.Kind == Kind.Queue)
                        Require(BelongsTo(ContextNames.QueueSection(o.Slug, o.Name), slug) == (slug == o.Slug), $"queue {o.Name} and tenant {slug}");
                }
        });

    [Test]
    public void Only_users_ivr_and_queue_contexts_are_goto_destinations_of_their_own_tenant() =>
        Objects.Sample(objects =>
        {
            foreach (var o in objects)
            {
                Require(ContextNames.IsDestinationOf(o.Context, o.Slug) == (o.Kind != Kind.Members), o.Context);
                Require(ContextNames.TenantOfDerived(o.Context) == (o.Kind == Kind.Users ? null : o.Slug), o.Context);
            }
        });

    [Test]
    public void The_generator_finds_the_collision_of_the_old_queue_names()
    {
        // The queue-name property over the names before this scheme (<slug>-<name>, slugs without "-ivr-"/"-queue-" as the
        // old rule required): it must fail, or the generated names could not have caught the issue's attack.
        var oldSlugRule = new System.Text.RegularExpressions.Regex("-(ivr|queue)(-|$)");
        Assert.Throws<CsCheckException>(() => Objects.Sample(objects =>
        {
            var queues = objects.Where(o => o.Kind == Kind.Queue && !oldSlugRule.IsMatch(o.Slug)).Select(o => (o.Slug, o.Name)).Distinct().ToList();
            Require(queues.Select(q => q.Slug + "-" + q.Name).Distinct(StringComparer.Ordinal).Count() == queues.Count, string.Join(", ", queues));
        }, iter: 20_000));
    }

    [Test]
    public void The_issues_attack_gives_two_queues_of_their_own()
    {
        // Tenant "acme-x" with queue "y" and tenant "acme" with queue "x-y" were both [acme-x-y]: every apply failed.
        var (t1, t2, u1, u2, q1, q2) = (Samples.G(1), Samples.G(2), Samples.G(11), Samples.G(12), Samples.G(21), Samples.G(22));
        var snapshot = new DialplanSnapshot(
            [
                new TenantSnapshot(t1, "acme-x", [new UserSnapshot(u1, "1001")], [], [new QueueSnapshot(q1, "y", QueueStrategy.Ringall, 15, [u1])]),
                new TenantSnapshot(t2, "acme", [new UserSnapshot(u2, "1001")], [], [new QueueSnapshot(q2, "x-y", QueueStrategy.Linear, 20, [u2])]),
            ],
            [new RoutedNumber("+15550000001", t1, AssignmentType.Queue, q1, null), new RoutedNumber("+15550000002", t2, AssignmentType.Queue, q2, null)]);

        var r = RenderedDialplan.Of(snapshot);

        var queues = FakeQueuesParser.Parse(r.Queues);
        Assert.That(queues.Keys, Is.EquivalentTo(new[] { "acme_x-y", "acme-x_y" }));
        Assert.That(queues["acme-x_y"].Members.Single().Interface, Is.EqualTo("Local/1001@acme-x_members/n"));
        Assert.That(queues["acme_x-y"].Members.Single().Interface, Is.EqualTo("Local/1001@acme_members/n"));
        Assert.That(r.Result.ContextNames, Is.Unique);
        Assert.That(DialplanLinter.Lint(r.Extensions), Is.Empty);
    }

    // Tenants with distinct slugs, each with IVRs and queues of distinct names, users 1001.. and every user in every queue.
    private static readonly Gen<DialplanSnapshot> Snapshots =
        Slug.ArrayUnique[1, 5].SelectMany(slugs =>
            Gen.Select(Name.ArrayUnique[0, 3], Name.ArrayUnique[0, 3], Gen.Int[1, 3]).Array[slugs.Length].Select(parts =>
            {
                var tenants = slugs.Select((slug, t) =>
                {
                    var (ivrs, queues, userCount) = parts[t];
                    var users = Enumerable.Range(0, userCount).Select(u => new UserSnapshot(Guid.NewGuid(), (1001 + u).ToString())).ToList();
                    var hangup = new Destination(DestinationType.Hangup, null);
                    return new TenantSnapshot(Guid.NewGuid(), slug, users,
                        ivrs.Select(n => new IvrSnapshot(Guid.NewGuid(), n, "custom/hello", 5, new Dictionary<string, Destination>(), hangup, hangup)).ToList(),
                        queues.Select(n => new QueueSnapshot(Guid.NewGuid(), n, QueueStrategy.Ringall, 15, users.Select(u => u.Id).ToList())).ToList());
                }).ToList();
                return new DialplanSnapshot(tenants, []);
            }));

    [Test]
    public void Rendering_generated_tenants_never_refuses_a_name_and_gives_each_object_its_own() =>
        Snapshots.Sample(snapshot =>
        {
            var r = RenderedDialplan.Of(snapshot);
            var ivrs = snapshot.Tenants.Sum(t => t.Ivrs.Count);
            var queues = snapshot.Tenants.Sum(t => t.Queues.Count);
            var withMembers = snapshot.Tenants.Count(t => t.Queues.Count > 0);
            var contexts = r.Result.ContextNames;
            Require(contexts.Distinct(StringComparer.Ordinal).Count() == contexts.Count, "a context is written twice");
            // A tenant's users get a context when something reaches them: here, being queue members.
            Require(contexts.Count == 1 + withMembers + withMembers + ivrs + queues, "an object has no context of its own");
            Require(r.Result.QueueNames.Distinct(StringComparer.OrdinalIgnoreCase).Count() == queues, "two queues share a name");
            Require(contexts.Concat(r.Result.QueueNames).All(n => n.Length <= ContextNames.MaxLength), "a name is too long");
            Require(DialplanLinter.Lint(r.Extensions).Count == 0, "the linter objects");
        }, iter: 200);
}
