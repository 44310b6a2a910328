using System.Collections.Concurrent;
using Did.Dialplan;
using Did.Infrastructure.Ami;

namespace Did.Features.Apply;

/// <summary>What Apply asks of one switch over AMI: make a live delta or reload the dialplan (and, either way, the queues
/// when they changed), and check that what Asterisk now runs is what was rendered. Writing the files is
/// <see cref="NodeFiles"/>' part.</summary>
public static class NodeSwitch
{
    public static async Task<string> ReloadAsync(AsteriskNode node, bool queuesChanged, CancellationToken ct)
    {
        await using var ami = await node.Ami!.OpenAsync(ct);
        var reload = await ami.ReloadModuleAsync("pbx_config", ct);
        if (!reload.Success || reload.Status != AmiReloadStatus.Done)
            throw new ApplyStepException($"Asterisk did not reload the dialplan: {reload.Message} (status {reload.Status?.ToString() ?? "none"}).");
        var output = $"pbx_config reloaded{(reload.WasQueued ? " after waiting for Asterisk to finish booting" : "")}";
        if (queuesChanged)
        {
            await ami.QueueReloadAsync(ct);
            output += "; queues reloaded";
        }
        await ami.LogoffAsync(ct);
        return output + ".";
    }

    /// <summary>Makes a live delta: the changes over AMI, pipelined on one session in the order given (the order
    /// <see cref="DialplanDelta"/> made safe), then the queues if they changed. The files already hold the result, so a
    /// later reload by anyone keeps it. Any change refused, or the connection lost half way, fails the step: the switch
    /// is then in no known state, and the rollback reloads it from the restored files.</summary>
    /// <returns>What was done, or null when the AMI user may not change the dialplan live (every change answered
    /// "Permission denied", so none was made): the caller reloads instead.</returns>
    public static async Task<string?> ApplyDeltaAsync(AsteriskNode node, IReadOnlyList<DialplanChange> changes, bool queuesChanged, CancellationToken ct)
    {
        await using var ami = await node.Ami!.OpenAsync(ct);
        int made;
        try
        {
            made = changes.Count == 0 ? 0 : await ami.ChangeDialplanAsync([.. changes.Select(ToAmi)], ct);
        }
        catch (AmiPermissionDeniedException)
        {
            await ami.LogoffAsync(ct);
            return null;
        }
        var output = $"{made} live change(s) ({changes.Count(c => c.Kind == DialplanChangeKind.Remove)} removed, " +
                     $"{changes.Count(c => c.Kind == DialplanChangeKind.Add)} added), no reload";
        if (queuesChanged)
        {
            await ami.QueueReloadAsync(ct);
            output += "; queues reloaded";
        }
        await ami.LogoffAsync(ct);
        return output + ".";
    }

    private static AmiDialplanChange ToAmi(DialplanChange c) => new(
        c.Kind == DialplanChangeKind.Remove ? AmiDialplanChangeKind.Remove : AmiDialplanChangeKind.Add,
        c.Context, c.Extension, c.Priority, c.Application, c.AppData, c.Replace);

    /// <summary>Asks Asterisk for each context in <paramref name="expected"/> and compares extension, priority, application
    /// and argument with the file: the only reliable proof, since a reload reports success even for a broken file. The
    /// file side is the digests lint computed while reading it, so the file is not parsed again; a context whose digest
    /// differs is compared entry by entry with the file, which names the difference. Each answer is capped relative to
    /// what was rendered for that context (<see cref="AmiListLimits.Around"/>). Each context in <paramref name="probe"/>
    /// is only checked to exist, with a ShowDialPlan for an extension nothing matches (an answer of no priorities).</summary>
    public static async Task<string> VerifyAsync(AsteriskNode node, string renderedExtensions, IReadOnlyList<ContextDigest> expected,
        IReadOnlyList<string> probe, int connections, CancellationToken ct)
    {
        var clients = new List<AmiClient>();
        var problems = new ConcurrentQueue<string>();
        var differing = new ConcurrentDictionary<string, AmiDialplan>(StringComparer.Ordinal); // context -> what the switch has
        var contexts = 0;
        var entries = 0;
        var next = -1;
        var total = expected.Count + probe.Count;
        try
        {
            for (var i = 0; i < Math.Max(1, Math.Min(connections, total)); i++) clients.Add(await node.Ami!.OpenAsync(ct));
            // One worker per connection, each taking the next context: no pool of connections to lock around.
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = clients.Count, CancellationToken = ct },
                async (ami, token) =>
                {
                    for (var index = Interlocked.Increment(ref next); index < total; index = Interlocked.Increment(ref next))
                    {
                        if (index >= expected.Count)
                        {
                            var name = probe[index - expected.Count];
                            var probed = await ami.ShowDialPlanAsync(name, ProbeExtension, AmiListLimits.Around(0), token);
                            if (probed.Lookup == AmiDialplanLookup.ContextNotFound && problems.Count < 10)
                                problems.Enqueue($"Context '{name}' is missing ({probed.Message}).");
                            continue;
                        }
                        var digest = expected[index];
                        var live = await ami.ShowDialPlanAsync(digest.Name, null, AmiListLimits.Around(digest.Entries), token);
                        Interlocked.Increment(ref contexts);
                        Interlocked.Add(ref entries, digest.Entries);
                        if (!live.Found)
                        {
                            if (problems.Count < 10) problems.Enqueue($"Context '{digest.Name}' is missing ({live.Message}).");
                        }
                        else if (!LiveContextComparison.Matches(digest, live) && differing.Count < 10) differing[digest.Name] = live;
                    }
                });
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
        if (!differing.IsEmpty)
            foreach (var problem in await DescribeDifferencesAsync(renderedExtensions, differing, ct))
                if (problems.Count < 10) problems.Enqueue(problem);
        if (!problems.IsEmpty)
            throw new ApplyStepException("What Asterisk runs differs from what was rendered: " + string.Join(" ", problems));
        return $"{contexts} contexts and {entries} priorities match" + (probe.Count > 0 ? $"; {probe.Count} other contexts exist." : ".");
    }

    /// <summary>An extension no rendered pattern matches (they match digits, '+' and the letters of s, i, t): asking for
    /// it answers "Did not find extension" in a context that exists, "Did not find context" in one that does not.</summary>
    private const string ProbeExtension = "verify-probe";

    /// <summary>Reads the rendered file once more, only when something differs, to say what.</summary>
    private static Task<List<string>> DescribeDifferencesAsync(string renderedExtensions, IReadOnlyDictionary<string, AmiDialplan> differing,
        CancellationToken ct) => Task.Run(() =>
    {
        var problems = new List<string>();
        foreach (var context in NodeFiles.ReadContexts(renderedExtensions, differing.Keys.ToHashSet(StringComparer.Ordinal)))
        {
            ct.ThrowIfCancellationRequested();
            if (differing.TryGetValue(context.Name, out var live) && LiveContextComparison.FirstDifference(context, live) is { } problem)
                problems.Add(problem);
        }
        return problems;
    }, ct);
}
