using System.Text;
using Did.Dialplan;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Compiling the snapshot's reading, render, lint, digest, diff, a live delta's plan and the deployed state's
/// stored form (optimized, see Did.csproj) takes the better part of a second that the first apply after a start would
/// otherwise pay. This runs those same steps once, in the background after start-up: the snapshot's statements for no
/// tenant (<see cref="DialplanSnapshotReader.ReadNoTenantAsync"/>), and the rest on a small synthetic dialplan in a
/// temporary folder, which also brings their small helpers to their optimized versions. It keeps no data and talks to
/// no switch.</summary>
public sealed class ApplyWarmUp(NpgsqlDataSource db, DialplanSettings settings, IOptions<ApplyOptions> options, ILogger<ApplyWarmUp> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUp) return;
        await Task.Yield(); // never delay start-up
        try
        {
            var result = await RunAsync(settings, stoppingToken);
            log.LogDebug("Apply warm-up rendered, linted and diffed {Numbers} numbers", result.Rendered.NumbersRouted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Apply warm-up failed; the first apply compiles its code itself");
        }
        // Apart, so that a database not yet reachable costs only this part of the warm-up.
        try
        {
            await DialplanSnapshotReader.ReadNoTenantAsync(db, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Apply warm-up could not read the database; the first apply compiles the snapshot's reading itself");
        }
    }

    /// <summary>Render two versions of a small dialplan to files, lint one with digests, diff both ways, plan the live
    /// delta between them, and prepare and read back its deployed parts, exactly as an apply does. Returns what was
    /// rendered, found and prepared, so a test can prove the warm-up takes the normal path.</summary>
    public static async Task<(RenderResult Rendered, int Findings, DiffStats Changed, DialplanDelta Delta, IReadOnlyList<StoredPart> Parts)> RunAsync(
        DialplanSettings settings, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("did-warmup-").FullName;
        try
        {
            var (ext, queues, next) = (Path.Combine(dir, "a.conf"), Path.Combine(dir, "q.conf"), Path.Combine(dir, "b.conf"));
            var snapshot = Sample(200);
            RenderResult rendered;
            await using (var e = ApplyWorkFolder.CreateFile(ext))
            await using (var q = ApplyWorkFolder.CreateFile(queues))
                rendered = DialplanRenderer.Render(snapshot, settings, e, q);
            await using (var e = ApplyWorkFolder.CreateFile(next))
                DialplanRenderer.Render(snapshot with { Numbers = snapshot.Numbers.Skip(1).ToList() }, settings, e, Stream.Null);
            ct.ThrowIfCancellationRequested();

            IReadOnlyList<LintFinding> findings;
            using (var reader = new StreamReader(ext, Utf8)) findings = DialplanLinter.Lint(reader, DialplanLintOptions.For(settings), new List<ContextDigest>());
            var seen = new LintedSections(); // an apply's lint: first everything new, then one number changed
            DialplanLinter.LintBySection(() => File.OpenRead(ext), DialplanLintOptions.For(settings), new List<ContextDigest>(), seen);
            DialplanLinter.LintBySection(() => File.OpenRead(next), DialplanLintOptions.For(settings), new List<ContextDigest>(), seen);
            NodeFiles.CountChanges(Path.Combine(dir, "missing.conf"), ext);
            var changed = NodeFiles.CountChanges(ext, next);
            var contexts = rendered.ContextNames.ToHashSet(StringComparer.Ordinal);
            var delta = DialplanDelta.Between(NodeFiles.ReadContexts(ext, contexts), NodeFiles.ReadContexts(next, contexts), 100);
            var parts = DeployedState.Prepare(ScopedSnapshot.Build(snapshot, new Dictionary<Guid, TenantPart>(), ApplyScope.Platform)).Forms;
            foreach (var part in parts) DeployedState.FromJson(part.Json);
            return (rendered, findings.Count, changed, delta, parts);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    // One tenant with every destination type, numbers spread over two shards. A new tenant id each time: the stored form
    // of a part the process made before is not made again (DeployedState.Prepare), and the warm-up must make it.
    private static DialplanSnapshot Sample(int numbers)
    {
        var tenant = Guid.NewGuid();
        var users = Enumerable.Range(0, 20).Select(i => new UserSnapshot(new Guid($"00000000-0000-4000-8000-{i + 100:D12}"), $"{1000 + i}")).ToList();
        var ivr = new IvrSnapshot(new Guid("00000000-0000-4000-8000-000000000002"), "main", "custom/welcome", 5,
            new Dictionary<string, Destination> { ["1"] = new(DestinationType.User, users[0].Id), ["0"] = new(DestinationType.Hangup, null) },
            new Destination(DestinationType.User, users[1].Id), new Destination(DestinationType.Hangup, null));
        var queue = new QueueSnapshot(new Guid("00000000-0000-4000-8000-000000000003"), "sales", QueueStrategy.Ringall, 30, users.Take(3).Select(u => u.Id).ToList());
        var routed = Enumerable.Range(0, numbers).Select(i => (i % 4) switch
        {
            0 => new RoutedNumber($"+1555{i % 2}00{i:D4}", tenant, AssignmentType.User, users[i % users.Count].Id, null),
            1 => new RoutedNumber($"+1555{i % 2}00{i:D4}", tenant, AssignmentType.Ivr, ivr.Id, null),
            2 => new RoutedNumber($"+1555{i % 2}00{i:D4}", tenant, AssignmentType.Queue, queue.Id, null),
            _ => new RoutedNumber($"+1555{i % 2}00{i:D4}", tenant, AssignmentType.External, null, "Hangup()"),
        }).OrderBy(n => n.Number, StringComparer.Ordinal).ToList();
        return new DialplanSnapshot([new TenantSnapshot(tenant, "warmup", users, [ivr], [queue])], routed);
    }
}
