using System.Collections.Concurrent;
using System.Text;
using Did.Dialplan;
using Did.Infrastructure.Ami;
using Did.Infrastructure.Files;

namespace Did.Features.Apply;

/// <summary>What Apply does to one switch: back up its live files, replace them atomically, reload, check that what
/// Asterisk now runs is what was rendered, and put the backups back when any of that fails.</summary>
public static class NodeDeployer
{
    public static async Task<List<FileBackup>> BackupAsync(AsteriskNode node, Guid jobId, DateTime now, int keep, CancellationToken ct)
    {
        Directory.CreateDirectory(node.BackupDir);
        var stamp = now.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var result = new List<FileBackup>();
        foreach (var live in new[] { node.ExtensionsPath, node.QueuesPath })
        {
            string? backup = null;
            if (File.Exists(live))
            {
                backup = Path.Combine(node.BackupDir, $"{Path.GetFileName(live)}.{stamp}.{jobId:N}");
                await AtomicFile.CopyOverAsync(live, backup, ct);
            }
            result.Add(new FileBackup(node.Name, live, backup));
            Prune(node.BackupDir, Path.GetFileName(live), keep);
        }
        return result;
    }

    private static void Prune(string dir, string fileName, int keep)
    {
        // Names sort by time: the stamp follows the file name and is fixed-width.
        foreach (var old in Directory.GetFiles(dir, fileName + ".*").Order(StringComparer.Ordinal).SkipLast(keep))
            File.Delete(old);
    }

    public static async Task WriteAsync(AsteriskNode node, string renderedExtensions, string renderedQueues, CancellationToken ct)
    {
        await AtomicFile.CopyOverAsync(renderedExtensions, node.ExtensionsPath, ct);
        await AtomicFile.CopyOverAsync(renderedQueues, node.QueuesPath, ct);
    }

    /// <summary>Puts every live file back as its backup holds it; a file that did not exist before is emptied (not
    /// removed: Asterisk refuses a reload whose #include is missing and would keep whatever it had).</summary>
    public static async Task RestoreAsync(IEnumerable<FileBackup> backups, CancellationToken ct)
    {
        foreach (var b in backups)
        {
            if (b.BackupPath is { } path) await AtomicFile.CopyOverAsync(path, b.LivePath, ct);
            else await AtomicFile.ReplaceAsync(b.LivePath, (_, _) => Task.CompletedTask, ct);
        }
    }

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

    /// <summary>Asks Asterisk for every context that was rendered and compares extension, priority, application and
    /// argument with the file: the only reliable proof, since a reload reports success even for a broken file. The file
    /// side is <paramref name="expected"/>, the digests lint computed while reading it, so the file is not parsed again;
    /// a context whose digest differs is compared entry by entry with the file, which names the difference.</summary>
    public static async Task<string> VerifyAsync(AsteriskNode node, string renderedExtensions, IReadOnlyList<ContextDigest> expected,
        int connections, CancellationToken ct)
    {
        var clients = new List<AmiClient>();
        var problems = new ConcurrentQueue<string>();
        var differing = new ConcurrentDictionary<int, AmiDialplan>(); // index in expected -> what the switch has
        var contexts = 0;
        var entries = 0;
        var next = -1;
        try
        {
            for (var i = 0; i < Math.Max(1, connections); i++) clients.Add(await node.Ami!.OpenAsync(ct));
            // One worker per connection, each taking the next context: no pool of connections to lock around.
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = clients.Count, CancellationToken = ct },
                async (ami, token) =>
                {
                    for (var index = Interlocked.Increment(ref next); index < expected.Count; index = Interlocked.Increment(ref next))
                    {
                        var digest = expected[index];
                        var live = await ami.ShowDialPlanAsync(digest.Name, null, AmiListLimits.Around(digest.Entries), token);
                        Interlocked.Increment(ref contexts);
                        Interlocked.Add(ref entries, digest.Entries);
                        if (!live.Found)
                        {
                            if (problems.Count < 10) problems.Enqueue($"Context '{digest.Name}' is missing ({live.Message}).");
                        }
                        else if (!Matches(digest, live) && differing.Count < 10) differing[index] = live;
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
        return $"{contexts} contexts and {entries} priorities match.";
    }

    /// <summary>The switch's context has the rendered priorities and no others: the same digest over the priorities a
    /// detailed comparison looks at (hints and priorities that are not numbers are not compared).</summary>
    private static bool Matches(ContextDigest expected, AmiDialplan live)
    {
        var digest = new ContextDigestBuilder();
        foreach (var e in live.Entries)
            if (!e.IsHint && e.Priority is { } p) digest.Add(e.Extension, p, e.Application, e.AppData);
        return digest.Entries == expected.Entries && digest.Sum == expected.Sum;
    }

    /// <summary>Reads the rendered file once more, only when something differs, to say what.</summary>
    private static Task<List<string>> DescribeDifferencesAsync(string renderedExtensions, IReadOnlyDictionary<int, AmiDialplan> differing,
        CancellationToken ct) => Task.Run(() =>
    {
        var problems = new List<string>();
        using var reader = new StreamReader(renderedExtensions, Encoding.UTF8, false, 1 << 16);
        var index = 0;
        foreach (var context in DialplanParser.ReadContexts(reader))
        {
            ct.ThrowIfCancellationRequested();
            if (differing.TryGetValue(index++, out var live) && Compare(context, live) is { } problem) problems.Add(problem);
        }
        return problems;
    }, ct);

    private static string? Compare(DialplanContext expected, AmiDialplan live)
    {
        var actual = new Dictionary<(string, int), AmiDialplanEntry>();
        foreach (var e in live.Entries)
            if (!e.IsHint && e.Priority is { } p) actual[(e.Extension, p)] = e;
        foreach (var e in expected.Entries)
        {
            if (!actual.Remove((e.Extension, e.Priority), out var got))
                return $"'{expected.Name}' lacks {e.Extension} priority {e.Priority} (line {e.LineNumber}).";
            if (!got.Application.Equals(e.Application, StringComparison.OrdinalIgnoreCase) || got.AppData != e.AppData)
                return $"'{expected.Name}' {e.Extension},{e.Priority} runs {got.Application}({got.AppData}), not {e.Application}({e.AppData}).";
        }
        return actual.Count > 0 ? $"'{expected.Name}' has {actual.Count} priorities that were not rendered." : null;
    }

    public static async Task<bool> SameBytesAsync(string a, string b, CancellationToken ct)
    {
        if (!File.Exists(a) || !File.Exists(b)) return false;
        if (new FileInfo(a).Length != new FileInfo(b).Length) return false;
        await using var x = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var y = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var bx = new byte[1 << 16];
        var by = new byte[1 << 16];
        while (true)
        {
            var n = await x.ReadAtLeastAsync(bx, bx.Length, false, ct);
            var m = await y.ReadAtLeastAsync(by, by.Length, false, ct);
            if (n != m || !bx.AsSpan(0, n).SequenceEqual(by.AsSpan(0, m))) return false;
            if (n == 0) return true;
        }
    }
}

/// <summary>A step failed for a reason worth telling the operator verbatim.</summary>
public sealed class ApplyStepException(string message) : Exception(message);
