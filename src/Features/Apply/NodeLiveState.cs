using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>What one node runs, as far as this process knows: the contexts (by digest) of the extensions file it last
/// deployed there and verified, and that file's size and write time. Known only while the live file is still exactly
/// the one written then: any other writer (a hand edit, another replica's apply, a rollback) changes its write time,
/// and the state is unknown again. A reload by anyone keeps it true (the switch re-reads that same file); a live delta
/// starts only from a known state. Forgotten before every write, remembered only after a verified apply.</summary>
public sealed class NodeLiveState
{
    private Deployed? _deployed;

    public sealed record Deployed(long Length, DateTime WrittenUtc, IReadOnlyDictionary<string, ContextDigest> Contexts);

    /// <summary>The deployed state, or null when unknown or the live file is no longer the one deployed.</summary>
    public Deployed? KnownFor(string liveExtensions)
    {
        var deployed = Volatile.Read(ref _deployed);
        if (deployed is null) return null;
        var file = new FileInfo(liveExtensions);
        return file.Exists && file.Length == deployed.Length && file.LastWriteTimeUtc == deployed.WrittenUtc ? deployed : null;
    }

    public void Forget() => Volatile.Write(ref _deployed, null);

    public void Remember(string liveExtensions, IReadOnlyList<ContextDigest> contexts)
    {
        var file = new FileInfo(liveExtensions);
        if (!file.Exists)
        {
            Forget();
            return;
        }
        var byName = new Dictionary<string, ContextDigest>(contexts.Count, StringComparer.Ordinal);
        foreach (var c in contexts) byName[c.Name] = c;
        Volatile.Write(ref _deployed, new Deployed(file.Length, file.LastWriteTimeUtc, byName));
    }
}
