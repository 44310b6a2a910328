using System.Security.Cryptography;
using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>The last snapshot this process rendered for an apply, and the sha256 of each file it rendered to. The
/// renderer is pure and the settings are the process's own, so the same data renders to the same bytes: an apply whose
/// snapshot is the same data (<see cref="SamePart"/>), onto nodes that each have exactly those files, has nothing to
/// render, lint or deploy. One apply at a time uses it (the apply lock).</summary>
public sealed class LastRender
{
    public sealed record Files(DialplanSnapshot Snapshot, RenderResult Result, string ExtensionsSha256, string QueuesSha256);

    private volatile Files? _last;

    /// <summary>The last render, when it was of the same data as <paramref name="snapshot"/>.</summary>
    public Files? Of(DialplanSnapshot snapshot) => _last is { } last && SamePart.Equal(last.Snapshot, snapshot) ? last : null;

    public void Remember(Files files) => _last = files;

    /// <summary>The sha256 of a whole file, header included; null when it does not exist.</summary>
    public static async Task<string?> Sha256Async(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) return null;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
