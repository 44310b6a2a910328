using Did.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

public class DialplanRendererTests
{
    private static readonly Guid T = Samples.G(100), U = Samples.G(101);

    private static DialplanSnapshot OneTenant(IEnumerable<RoutedNumber> numbers, string slug = "acme", string extension = "1001") =>
        new([new TenantSnapshot(T, slug, [new UserSnapshot(U, extension)], [], [])], numbers.ToList());

    private static RoutedNumber ToUser(string number) => new(number, T, AssignmentType.User, U, null);

    private static string[] Lines(string text) => text.Split('\n');

    [Test]
    public void Shuffled_input_renders_identical_bytes()
    {
        var s = Samples.Small();
        var shuffled = new DialplanSnapshot(
            s.Tenants.Reverse().Select(t => t with
            {
                Users = t.Users.Reverse().ToList(),
                Ivrs = t.Ivrs.Reverse().Select(i => i with { Options = i.Options.Reverse().ToDictionary() }).ToList(),
                // Queues keep their members' order: it is data (the order linear and rrmemory ring them in).
                Queues = t.Queues.Reverse().ToList(),
            }).ToList(),
            s.Numbers.OrderBy(n => n.Number.GetHashCode()).Reverse().ToList());

        var a = RenderedDialplan.Of(s);
        var b = RenderedDialplan.Of(shuffled);

        Assert.That(b.Extensions, Is.EqualTo(a.Extensions));
        Assert.That(b.Queues, Is.EqualTo(a.Queues));
        Assert.That(b.Result.ExtensionsSha256, Is.EqualTo(a.Result.ExtensionsSha256));
    }

    [Test]
    public void Queue_members_are_listed_in_the_queues_order_not_sorted()
    {
        // A linear queue rings its members in the order queues.conf lists them: the API's order, not the extensions'.
        Guid u1 = Samples.G(102), u2 = Samples.G(103), u3 = Samples.G(104), q = Samples.G(105);
        var snapshot = new DialplanSnapshot([new TenantSnapshot(T, "acme",
            [new UserSnapshot(u1, "1001"), new UserSnapshot(u2, "1002"), new UserSnapshot(u3, "1003")], [],
            [new QueueSnapshot(q, "sales", QueueStrategy.Linear, 15, [u3, u1, u2])])], []);

        var r = RenderedDialplan.Of(snapshot);

        var members = Lines(r.Queues).Where(l => l.StartsWith("member => ", StringComparison.Ordinal)).ToArray();
        Assert.That(members, Is.EqualTo(new[]
        {
            "member => Local/1003@acme_members/n", "member => Local/1001@acme_members/n", "member => Local/1002@acme_members/n",
        }));
        // The ring-only context still holds each extension once, sorted.
        Assert.That(r.Extensions, Does.Contain("[acme_members]\nexten => 1001,1,"));
    }

    [Test]
    public void Header_hash_is_the_sha256_of_the_body_and_matches_the_result()
    {
        var r = RenderedDialplan.Of(Samples.Small());

        Assert.That(GeneratedHeader.TryReadHashes(r.Extensions, out var declared, out var actual), Is.True);
        Assert.That(declared, Is.EqualTo(actual));
        Assert.That(declared, Is.EqualTo(r.Result.ExtensionsSha256));
        Assert.That(GeneratedHeader.TryReadHashes(r.Queues, out var qDeclared, out var qActual), Is.True);
        Assert.That(qDeclared, Is.EqualTo(qActual).And.EqualTo(r.Result.QueuesSha256));
    }

    // The routed sample (schedules, rules, failovers) and enough numbers with rules that each body spans many of the
    // renderer's buffers.
    private static DialplanSnapshot RoutedAtLength()
    {
        var s = RouteSamples.Routed();
        var withRules = s.Numbers.Single(n => n.Number == RouteSamples.RulesNumber);
        var more = Enumerable.Range(0, 3000).Select(i => withRules with { Number = $"+1555900{i:D4}", Options = i % 2 == 0 ? withRules.Options : null });
        return s with { Numbers = [.. s.Numbers, .. more] };
    }

    private static (byte[] Extensions, byte[] Queues, RenderResult Result) RenderToStreams(DialplanSnapshot snapshot, byte[] before)
    {
        using var extensions = new MemoryStream();
        using var queues = new MemoryStream();
        extensions.Write(before);
        queues.Write(before);
        var r = DialplanRenderer.Render(snapshot, new DialplanSettings(), extensions, queues);
        Assert.That((extensions.Position, queues.Position), Is.EqualTo((extensions.Length, queues.Length)), "left at the end");
        return (extensions.ToArray()[before.Length..], queues.ToArray()[before.Length..], r);
    }

    [Test]
    public void Rendering_into_a_stream_puts_the_sha256_of_the_body_in_the_header()
    {
        var (extensions, queues, r) = RenderToStreams(RoutedAtLength(), "written before"u8.ToArray());

        Assert.That(extensions, Has.Length.GreaterThan(8 * 64 * 1024), "the body spans many buffers");
        var e = System.Text.Encoding.UTF8.GetString(extensions);
        Assert.That(GeneratedHeader.TryReadHashes(e, out var declared, out var actual), Is.True);
        Assert.That(declared, Is.EqualTo(actual).And.EqualTo(r.ExtensionsSha256));
        Assert.That(GeneratedHeader.TryReadHashes(System.Text.Encoding.UTF8.GetString(queues), out var qDeclared, out var qActual), Is.True);
        Assert.That(qDeclared, Is.EqualTo(qActual).And.EqualTo(r.QueuesSha256));
        Assert.That(DialplanParser.Parse(e).Contexts.Select(c => c.Name), Is.EqualTo(r.ContextNames), "the contexts counted before the body");
    }

    [Test]
    public void Rendering_into_a_stream_that_cannot_seek_is_refused_before_anything_is_written()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();
        using var queues = new MemoryStream();

        Assert.Throws<ArgumentException>(() => DialplanRenderer.Render(Samples.Small(), new DialplanSettings(), pipe, queues));
        Assert.That(queues.Length, Is.Zero);
    }

    [Test]
    public void Edited_body_no_longer_matches_the_header_hash()
    {
        var r = RenderedDialplan.Of(Samples.Small());

        GeneratedHeader.TryReadHashes(r.Extensions.Replace("Congestion()", "Busy()"), out var declared, out var actual);

        Assert.That(actual, Is.Not.EqualTo(declared));
    }

    [Test]
    public void Result_counts_and_lists_every_context_in_file_order()
    {
        var r = RenderedDialplan.Of(Samples.Small()).Result;
        var headers = Lines(RenderedDialplan.Of(Samples.Small()).Extensions)
            .Where(l => l.StartsWith('[')).Select(l => l.Trim('[', ']')).ToList();

        Assert.That(r.ContextNames, Is.EqualTo(headers));
        Assert.That((r.Tenants, r.Users, r.Ivrs, r.Queues, r.NumbersRouted, r.Shards, r.Contexts), Is.EqualTo((2, 3, 3, 1, 10, 3, 11)));
        Assert.That(r.QueueNames, Is.EqualTo(new[] { "acme_support" }));
    }

    [Test]
    public void A_shard_holds_at_most_a_thousand_numbers()
    {
        var numbers = Enumerable.Range(0, 2500).Select(i => ToUser("+1555100" + i.ToString("D4")));

        var r = RenderedDialplan.Of(OneTenant(numbers));

        Assert.That(r.Result.Shards, Is.EqualTo(3));
        var perShard = r.Extensions.Split("\n[").Where(c => c.StartsWith("did-")).Select(c => c.Split('\n').Count(l => l.StartsWith("exten => +"))).ToList();
        Assert.That(perShard, Is.EqualTo(new[] { 1000, 1000, 500 }));
    }

    [Test]
    public void Numbers_with_the_same_digits_but_different_lengths_get_different_shards()
    {
        var r = RenderedDialplan.Of(OneTenant([ToUser("+15551234567"), ToUser("+155512345678"), ToUser("+1555123456")]));

        Assert.That(r.Result.ContextNames.Where(c => c.StartsWith("did-")), Is.EqualTo(new[] { "did-1555123", "did-15551234", "did-155512345" }));
        Assert.That(r.Extensions, Does.Contain("exten => _+1555123XXX,1,Goto(did-1555123,"));
        Assert.That(r.Extensions, Does.Contain("exten => _+15551234XXX,1,Goto(did-15551234,"));
        Assert.That(r.Extensions, Does.Contain("exten => _+155512345XXX,1,Goto(did-155512345,"));
    }

    [Test]
    public void Numbers_shorter_than_the_shard_width_get_a_shard_per_length()
    {
        var r = RenderedDialplan.Of(OneTenant([ToUser("+12"), ToUser("+123"), ToUser("+1234")]));

        Assert.That(r.Result.ContextNames.Where(c => c.StartsWith("did-")), Is.EqualTo(new[] { "did-len2", "did-len3", "did-1" }));
        Assert.That(r.Extensions, Does.Contain("exten => _+XX,1,Goto(did-len2,+${FILTER(0-9,${EXTEN})},1)"));
        Assert.That(r.Extensions, Does.Contain("exten => _+XXX,1,Goto(did-len3,+${FILTER(0-9,${EXTEN})},1)"));
        Assert.That(r.Extensions, Does.Contain("exten => _+1XXX,1,Goto(did-1,+${FILTER(0-9,${EXTEN})},1)"));
        Assert.That(DialplanLinter.Lint(r.Extensions), Is.Empty);
    }

    [Test]
    public void A_number_dialled_without_plus_reaches_its_shard_with_the_plus_restored_and_filtered()
    {
        var r = RenderedDialplan.Of(OneTenant([ToUser("+15551234567")]));

        Assert.That(Lines(r.Extensions), Does.Contain("exten => _15551234XXX,1,Goto(did-15551234,+${FILTER(0-9,${EXTEN})},1)"));
        var all = r.Extensions.Split("${EXTEN}").Length - 1;
        var filtered = r.Extensions.Split("${FILTER(0-9,${EXTEN})}").Length - 1;
        Assert.That(all, Is.EqualTo(filtered).And.GreaterThan(0), "EXTEN must never reach an application unfiltered");
    }

    [Test]
    public void Unknown_numbers_hit_the_fallback_in_the_trunk_context_and_in_every_shard()
    {
        var r = RenderedDialplan.Of(Samples.Small());
        var contexts = r.Extensions.Split("\n[").Skip(1).ToDictionary(c => c[..c.IndexOf(']')], c => Lines(c));

        Assert.That(contexts["from-trunk-external"], Does.Contain("exten => _+X.,1,Congestion()"));
        Assert.That(contexts["from-trunk-external"], Does.Contain("exten => _X.,1,Congestion()"));
        foreach (var shard in contexts.Keys.Where(k => k.StartsWith("did-")))
            Assert.That(contexts[shard], Does.Contain("exten => _+X.,1,Congestion()"), shard);
    }

    [Test]
    public void The_unassigned_gap_number_is_not_routed()
    {
        var r = RenderedDialplan.Of(Samples.Small());

        Assert.That(r.Extensions, Does.Not.Contain("+15551234573"));
        Assert.That(r.Extensions, Does.Contain("exten => +15551234574,1,Busy(20)"));
    }

    [Test]
    public void Fallback_action_is_configurable()
    {
        var r = RenderedDialplan.Of(Samples.Small(), new DialplanSettings { FallbackAction = "Playback(custom/not-in-service)" });

        Assert.That(Lines(r.Extensions), Does.Contain("exten => _+X.,1,Playback(custom/not-in-service)"));
        Assert.That(r.Extensions, Does.Not.Contain("Congestion()"));
    }

    [Test]
    public void Fallback_action_that_reaches_a_tenant_is_refused()
    {
        var ex = Assert.Throws<DialplanException>(() => RenderedDialplan.Of(Samples.Small(), new DialplanSettings { FallbackAction = "Goto(tenant-acme,1001,1)" }));
        Assert.That(ex!.Problems.Single().TenantId, Is.Null, "the platform's settings belong to no tenant");
        Assert.That(ex.Problems.Single().Message, Does.Contain("FallbackAction").And.Contain("CROSS_TENANT_REFERENCE"));
    }

    [Test]
    public void Endpoint_technology_and_name_format_are_configurable()
    {
        var r = RenderedDialplan.Of(OneTenant([ToUser("+15551234567")]), new DialplanSettings { EndpointTechnology = "SIP", EndpointFormat = "{extension}.{slug}", RingSeconds = 20 });

        Assert.That(Lines(r.Extensions), Does.Contain("exten => 1001,1,Dial(SIP/1001.acme,20)"));
    }

    [Test]
    public void Users_nothing_reaches_get_no_line_and_a_goto_to_one_reaches_it()
    {
        Guid routed = Samples.G(401), unreached = Samples.G(402), byGoto = Samples.G(403);
        var tenant = new TenantSnapshot(T, "acme",
            [new UserSnapshot(routed, "1001"), new UserSnapshot(unreached, "1002"), new UserSnapshot(byGoto, "1003")], [], []);
        var snapshot = new DialplanSnapshot([tenant],
        [
            new RoutedNumber("+15551230001", T, AssignmentType.User, routed, null),
            new RoutedNumber("+15551230002", T, AssignmentType.External, null, "Goto(tenant-acme,1003,1)"),
        ]);

        var r = RenderedDialplan.Of(snapshot);

        var dials = Lines(r.Extensions).Where(l => l.Contains(",1,Dial(", StringComparison.Ordinal)).ToList();
        Assert.That(dials, Has.Some.StartsWith("exten => 1001,1,Dial(").And.Some.StartsWith("exten => 1003,1,Dial("));
        Assert.That(dials, Has.None.StartsWith("exten => 1002,"), "a user nothing reaches costs no line");
        Assert.That(r.Result.Users, Is.EqualTo(2));
        Assert.That(r.Result.Warnings, Is.Empty, "the Goto leads to a user");
        Assert.That(DialplanLinter.Lint(r.Extensions), Is.Empty);
    }

    [Test]
    public void Queue_strategy_is_written_in_lowercase()
    {
        var s = Samples.Small();
        var acme = s.Tenants[0] with { Queues = [s.Tenants[0].Queues[0] with { Strategy = QueueStrategy.Leastrecent }] };
        var r = RenderedDialplan.Of(s with { Tenants = [acme, s.Tenants[1]] });

        Assert.That(Lines(r.Queues), Does.Contain("strategy = leastrecent"));
    }

    [Test]
    public void Ivr_option_to_a_deleted_user_becomes_hangup_with_a_warning()
    {
        var s = Samples.Small();
        var main = s.Tenants[0].Ivrs[0];
        var options = new Dictionary<string, Destination>(main.Options) { ["5"] = new(DestinationType.User, Samples.G(999)), ["6"] = new(DestinationType.User, Samples.Carol) };
        var acme = s.Tenants[0] with { Ivrs = [main with { Options = options }, s.Tenants[0].Ivrs[1]] };

        var r = RenderedDialplan.Of(s with { Tenants = [acme, s.Tenants[1]] });

        Assert.That(Lines(r.Extensions), Does.Contain("exten => 5,1,Hangup()").And.Contain("exten => 6,1,Hangup()"));
        Assert.That(r.Result.Warnings.Select(w => w.Text), Has.Some.Contains("option 5").And.Some.Contains("option 6"));
        Assert.That(DialplanLinter.Lint(r.Extensions), Is.Empty);
    }

    [Test]
    public void Number_assigned_to_a_user_without_extension_is_left_unrouted_with_a_warning()
    {
        var s = Samples.Small();
        var r = RenderedDialplan.Of(s with { Numbers = [.. s.Numbers, new RoutedNumber("+15551234599", Samples.Acme, AssignmentType.User, Samples.Carol, null)] });

        Assert.That(r.Extensions, Does.Not.Contain("+15551234599"));
        Assert.That(r.Result.Warnings.Select(w => w.Text), Has.Some.Contains("+15551234599"));
    }

    [Test]
    public void External_goto_to_a_missing_extension_of_the_own_tenant_is_left_unrouted()
    {
        var r = RenderedDialplan.Of(OneTenant([new RoutedNumber("+15551234567", T, AssignmentType.External, null, "Goto(tenant-acme,9999,1)")]));

        Assert.That(r.Extensions, Does.Not.Contain("+15551234567"));
        Assert.That(r.Result.Warnings.Single().Text, Does.Contain("leads nowhere"));
    }

    [Test]
    public void External_voicemail_without_context_is_written_with_the_tenant_context()
    {
        var r = RenderedDialplan.Of(OneTenant([new RoutedNumber("+15551234567", T, AssignmentType.External, null, "voicemail(1001)")]));

        Assert.That(Lines(r.Extensions), Does.Contain("exten => +15551234567,1,VoiceMail(1001@tenant-acme)"));
    }

    [Test]
    public void Widened_external_applications_pass_the_linter_given_options_for_the_same_settings()
    {
        var settings = new DialplanSettings { ExternalActions = ExternalActionPolicy.Default.Widen("MusicOnHold") };
        var r = RenderedDialplan.Of(OneTenant([new RoutedNumber("+15551234567", T, AssignmentType.External, null, "MusicOnHold(default)")]), settings);

        Assert.That(DialplanLinter.Lint(r.Extensions).Select(f => f.Rule), Is.EqualTo(new[] { LintRule.ApplicationNotAllowed }));
        Assert.That(DialplanLinter.Lint(r.Extensions, DialplanLintOptions.For(settings)), Is.Empty);
    }

    private static DialplanException Refused(DialplanSnapshot s) => Assert.Throws<DialplanException>(() => RenderedDialplan.Of(s))!;

    private static string[] Messages(DialplanException e) => [.. e.Messages];

    [Test]
    public void Slug_with_a_newline_is_refused()
    {
        var ex = Refused(OneTenant([], slug: "acme\n[evil]"));
        Assert.That(Messages(ex), Has.Some.Contains("slug").And.Some.Contains("\\u000a"));
    }

    [Test]
    public void Extension_with_letters_is_refused()
    {
        var ex = Refused(OneTenant([], extension: "10a1"));
        Assert.That(Messages(ex).Single(), Does.Contain("'10a1'").And.Contain("2 to 8 digits"));
    }

    [Test]
    public void External_action_calling_system_is_refused()
    {
        var ex = Refused(OneTenant([new RoutedNumber("+15551234567", T, AssignmentType.External, null, "System(rm -rf /)")]));
        Assert.That(Messages(ex).Single(), Does.Contain("+15551234567").And.Contain("APPLICATION_NOT_ALLOWED"));
    }

    [Test]
    public void Number_of_one_tenant_routed_to_a_user_of_another_tenant_is_refused()
    {
        var s = Samples.Small();
        var ex = Refused(s with { Numbers = [new RoutedNumber("+15551234567", Samples.Beta, AssignmentType.User, Samples.Alice, null)] });
        Assert.That(ex.Problems.Single(), Is.EqualTo(new DialplanProblem(Samples.Beta,
            $"number '+15551234567' of tenant 'beta' points to USER {Samples.Alice}, which belongs to another tenant")));
    }

    [Test]
    public void Ivr_option_into_another_tenant_is_refused()
    {
        var s = Samples.Small();
        var front = s.Tenants[1].Ivrs[0] with { Options = new Dictionary<string, Destination> { ["1"] = new(DestinationType.Ivr, Samples.MainIvr) } };
        var ex = Refused(s with { Tenants = [s.Tenants[0], s.Tenants[1] with { Ivrs = [front] }] });
        Assert.That(ex.Problems.Single().TenantId, Is.EqualTo(Samples.Beta));
        Assert.That(ex.Problems.Single().Message, Does.Contain("IVR 'front' option 1").And.Contain("another tenant").And.Not.Contain("acme"));
    }

    [Test]
    public void Queue_member_of_another_tenant_is_refused()
    {
        var s = Samples.Small();
        var support = s.Tenants[0].Queues[0] with { MemberUserIds = [Samples.Dave] };
        var ex = Refused(s with { Tenants = [s.Tenants[0] with { Queues = [support] }, s.Tenants[1]] });
        Assert.That(ex.Problems.Single().TenantId, Is.EqualTo(Samples.Acme));
        Assert.That(ex.Problems.Single().Message, Does.Contain("member").And.Contain("another tenant").And.Not.Contain("beta"));
    }

    [Test]
    public void External_goto_in_the_old_spelling_never_reaches_a_tenant_whose_slug_looks_like_it()
    {
        // "tenant-acme-ivr-x" was acme's IVR x; it is also the users context of a tenant "acme-ivr-x" (a slug the API
        // refuses, but the renderer does not rely on that). Acme's Goto means its own IVR x, which does not exist.
        var other = new TenantSnapshot(Samples.G(200), "acme-ivr-x", [new UserSnapshot(Samples.G(201), "1001")], [], []);
        var s = OneTenant([new RoutedNumber("+15551234567", T, AssignmentType.External, null, "Goto(tenant-acme-ivr-x,1001,1)")]);

        var r = RenderedDialplan.Of(s with { Tenants = [.. s.Tenants, other] });

        Assert.That(r.Extensions, Does.Not.Contain("+15551234567"));
        Assert.That(r.Result.Warnings.Single().Text, Does.Contain("Goto(acme_ivr_x,1001,1) leads nowhere"));
    }

    [Test]
    public void Tenant_slugged_like_an_ivr_context_of_another_gets_its_own_contexts()
    {
        // Under the old names tenant "acme-ivr-main" and acme's IVR "main" were both [tenant-acme-ivr-main].
        var s = Samples.Small();
        var lookalike = new TenantSnapshot(Samples.G(300), "acme-ivr-main", [new UserSnapshot(Samples.G(301), "1001")], [], []);
        var toLookalike = new RoutedNumber("+15550001111", Samples.G(300), AssignmentType.User, Samples.G(301), null);

        var r = RenderedDialplan.Of(s with { Tenants = [.. s.Tenants, lookalike], Numbers = [.. s.Numbers, toLookalike] }).Result;

        Assert.That(r.ContextNames, Does.Contain("tenant-acme-ivr-main").And.Contain("acme_ivr_main"));
        Assert.That(r.ContextNames, Is.Unique);
    }

    [Test]
    public void Two_ivrs_of_one_name_in_a_tenant_are_refused_under_that_tenant()
    {
        // The database's unique (tenant, name) makes this impossible; the renderer refuses it all the same.
        var s = Samples.Small();
        var twin = s.Tenants[0].Ivrs[0] with { Id = Samples.G(500) };
        var ex = Refused(s with { Tenants = [s.Tenants[0] with { Ivrs = [.. s.Tenants[0].Ivrs, twin] }, s.Tenants[1]] });
        Assert.That(ex.Problems.Single(), Is.EqualTo(new DialplanProblem(Samples.Acme, "tenant 'acme': context [acme_ivr_main] would be generated twice")));
    }

    [Test]
    public void Two_queues_of_one_name_in_a_tenant_are_refused_for_their_context_and_their_section()
    {
        var s = Samples.Small();
        var twin = s.Tenants[0].Queues[0] with { Id = Samples.G(501) };
        var ex = Refused(s with { Tenants = [s.Tenants[0] with { Queues = [.. s.Tenants[0].Queues, twin] }, s.Tenants[1]] });
        Assert.That(ex.Problems.Select(p => p.TenantId), Is.All.EqualTo(Samples.Acme));
        Assert.That(Messages(ex), Has.Some.Contains("[acme_queue_support] would be generated twice")
            .And.Some.Contains("queues.conf section [acme_support], which another queue already has"));
    }

    [Test]
    public void Every_hostile_item_is_listed_not_only_the_first()
    {
        var s = OneTenant([
            new RoutedNumber("+1555123456\n7", T, AssignmentType.User, U, null),
            new RoutedNumber("+15551234568", T, AssignmentType.External, null, "Goto(tenant-other,1,1)"),
        ], extension: "1x");
        var ex = Refused(s);
        Assert.That(ex.Problems, Has.Count.EqualTo(3));
        Assert.That(ex.Problems.Select(p => p.TenantId), Is.All.EqualTo(T));
    }

    [Test]
    public void Bad_ivr_greeting_name_and_option_key_are_refused()
    {
        var ivr = new IvrSnapshot(Samples.G(400), "Main Menu", "../../etc/passwd", 5,
            new Dictionary<string, Destination> { ["12"] = new(DestinationType.Hangup, null) },
            new Destination(DestinationType.Hangup, null), new Destination(DestinationType.Hangup, null));
        var ex = Refused(new DialplanSnapshot([new TenantSnapshot(T, "acme", [], [ivr], [])], []));
        Assert.That(ex.Problems, Has.Count.EqualTo(3));
        Assert.That(Messages(ex), Has.Some.Contains("name").And.Some.Contains("greeting").And.Some.Contains("option key"));
    }

    [Test]
    public void Duplicate_numbers_and_duplicate_extensions_are_refused()
    {
        var s = new DialplanSnapshot(
            [new TenantSnapshot(T, "acme", [new UserSnapshot(U, "1001"), new UserSnapshot(Samples.G(102), "1001")], [], [])],
            [ToUser("+15551234567"), ToUser("+15551234567")]);
        var ex = Refused(s);
        Assert.That(Messages(ex), Has.Some.Contains("extension 1001 belongs to two users").And.Some.Contains("assigned twice"));
    }

    [Test]
    public void Rendering_a_hundred_thousand_numbers_for_a_thousand_tenants_of_500_users_passes_the_linter()
    {
        var snapshot = LargeSamples.Build(tenants: 1000, usersPerTenant: 500, numbers: 100_000);
        var rendered = RenderedDialplan.Of(snapshot);
        var r = rendered.Result;

        // Only users something reaches get a line: here those of a USER number, the IVR's option 1 and the queue's members.
        var reached = snapshot.Numbers.Where(n => n.Type == AssignmentType.User).Select(n => n.TargetId!.Value)
            .Concat(snapshot.Tenants.SelectMany(t => t.Ivrs.SelectMany(i => i.Options.Values).Where(d => d.Type == DestinationType.User).Select(d => d.Id!.Value)))
            .Concat(snapshot.Tenants.SelectMany(t => t.Queues.SelectMany(q => q.MemberUserIds))).Distinct().Count();
        Assert.That(reached, Is.LessThan(500_000 / 5), "most users are reached by nothing");
        Assert.That((r.Tenants, r.Users, r.Ivrs, r.Queues, r.NumbersRouted, r.Shards), Is.EqualTo((1000, reached, 1000, 1000, 100_000, 100)));
        Assert.That(r.Contexts, Is.EqualTo(1 + 100 + 4000)); // per tenant: users, members, IVR, queue
        Assert.That(r.Warnings, Is.Empty);
        Assert.That(DialplanLinter.Lint(rendered.Extensions), Is.Empty);
    }
}
