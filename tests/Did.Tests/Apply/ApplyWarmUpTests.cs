using Did.Dialplan;
using Did.Features.Apply;
using Did.Tests.Ami;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>The start-up warm-up must take the same path as a real apply (a clean render, a lint without findings, a
/// diff that finds a change, a live delta of that change, a deployed part that reads back), or it would compile error paths and leave the real ones cold.</summary>
public sealed class ApplyWarmUpTests
{
    [Test]
    public async Task Warm_up_renders_every_destination_type_lints_clean_diffs_and_plans_a_real_change_and_prepares_the_deployed_part()
    {
        var (rendered, findings, changed, delta, parts) = await ApplyWarmUp.RunAsync(new DialplanSettings(), CancellationToken.None);

        Assert.That(rendered.NumbersRouted, Is.EqualTo(200));
        // 7 of the 20 users get a line: those a number, the IVR or the queue reaches.
        Assert.That((rendered.Users, rendered.Ivrs, rendered.Queues, rendered.Shards), Is.EqualTo((7, 1, 1, 2)));
        Assert.That(rendered.Warnings, Is.Empty);
        Assert.That(findings, Is.Zero);
        Assert.That((changed.LinesRemoved, changed.SectionsChanged), Is.EqualTo((1, 1)), "the second render lacks one number");
        Assert.That(delta.Unsafe, Is.Null);
        Assert.That(delta.Changes.Select(c => c.Kind), Is.EqualTo(new[] { DialplanChangeKind.Remove }), "the live delta removes that number");
        Assert.That(DeployedState.FromJson(parts.Single().Json).Numbers, Has.Count.EqualTo(200), "one tenant's part, every number in it");
    }

    [Test]
    public async Task Warm_up_leaves_no_files_behind()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "did-warmup-*").Length;
        await ApplyWarmUp.RunAsync(new DialplanSettings(), CancellationToken.None);
        Assert.That(Directory.GetDirectories(Path.GetTempPath(), "did-warmup-*"), Has.Length.EqualTo(before));
    }

    [Test]
    public async Task A_database_not_reachable_at_start_costs_only_the_warm_up_of_the_snapshot_read()
    {
        var lines = new ListLogger();
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");
        var warmUp = new ApplyWarmUp(unreachable, new DialplanSettings(), Options.Create(new ApplyOptions()), new ListLogger<ApplyWarmUp>(lines));

        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!;

        Assert.That(lines.Lines, Has.Some.StartsWith("Apply warm-up rendered, linted and diffed 200 numbers"));
        Assert.That(lines.Lines, Has.Some.StartsWith("Apply warm-up could not read the database"));
        Assert.That(lines.Lines, Has.None.StartsWith("Apply warm-up failed"));
    }
}
