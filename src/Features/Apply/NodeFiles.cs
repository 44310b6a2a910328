using System.Globalization;
using System.Text.RegularExpressions;
using Did.Dialplan;
using Did.Infrastructure.Files;

namespace Did.Features.Apply;

/// <summary>One live file of a node as an apply found it before writing: <see cref="Backup"/> is the name of its copy
/// in the node's backup folder, or of the empty marker that says it did not exist. A file name, never a path; the job
/// row keeps these for the record, and nothing reads them back to decide what to write.</summary>
public sealed record FileBackup(string Node, string File, string Backup, bool Existed);

/// <summary>The files Apply keeps on a switch host: the node's two live include files in its ConfigDir, and in its
/// BackupDir, per job, a copy of each (<c>extensions_custom.conf.20261206T101500Z.&lt;job&gt;</c>) or, for a file that
/// did not exist, an empty marker (the same name + <c>.absent</c>). Every path is made here from the node's
/// configuration and the renderer's file names: restoring a job's files needs only the job's id, so a job row can never
/// point a write anywhere else. Files are written 0640 with their folder's group; folders Apply creates are 0750.</summary>
public static partial class NodeFiles
{
    public static readonly IReadOnlyList<string> LiveFileNames = [DialplanRenderer.ExtensionsFileName, DialplanRenderer.QueuesFileName];

    private const string AbsentSuffix = ".absent";

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>Copies each live file into the node's backup folder (or leaves the marker of a file that did not exist),
    /// then prunes that file's backups to the newest <paramref name="keep"/>, never the one just made.</summary>
    public static async Task<IReadOnlyList<FileBackup>> BackupAsync(AsteriskNode node, Guid jobId, DateTime now, int keep, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        CreateFolder(node.BackupDir);
        var stamp = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var result = new List<FileBackup>();
        foreach (var file in LiveFileNames)
        {
            var live = Path.Combine(node.ConfigDir, file);
            var existed = File.Exists(live);
            var backup = $"{file}.{stamp}.{jobId:N}{(existed ? "" : AbsentSuffix)}";
            if (existed) await AtomicFile.CopyOverAsync(live, Path.Combine(node.BackupDir, backup), AtomicFile.SharedWithGroup, ct);
            else await AtomicFile.ReplaceAsync(Path.Combine(node.BackupDir, backup), (_, _) => Task.CompletedTask, AtomicFile.SharedWithGroup, ct);
            result.Add(new FileBackup(node.Name, file, backup, existed));
            Prune(node.BackupDir, file, keep, backup);
        }
        return result;
    }

    /// <summary>Only names this class gives backups are ever deleted: the live files, and anything else in the folder,
    /// never match.</summary>
    private static void Prune(string backupDir, string file, int keep, string justMade)
    {
        var backups = BackupsOf(backupDir, file).Order(StringComparer.Ordinal).ToList();
        foreach (var old in backups.SkipLast(keep).Where(name => name != justMade))
            File.Delete(Path.Combine(backupDir, old));
    }

    /// <summary>Replaces the node's live files with the rendered ones, each atomically.</summary>
    public static async Task WriteAsync(AsteriskNode node, RenderedFiles rendered, CancellationToken ct)
    {
        CreateFolder(node.ConfigDir);
        await AtomicFile.CopyOverAsync(rendered.ExtensionsPath, node.ExtensionsPath, AtomicFile.SharedWithGroup, ct);
        await AtomicFile.CopyOverAsync(rendered.QueuesPath, node.QueuesPath, AtomicFile.SharedWithGroup, ct);
    }

    /// <summary>Puts the node's live files back as job <paramref name="jobId"/> found them, from what that job left in the
    /// node's own backup folder: a file it copied is restored from the copy; a file it found missing is emptied (not
    /// removed: Asterisk refuses a reload whose #include is missing and would keep whatever it had); a file it left
    /// nothing for is not touched. Returns what was done, one phrase per file.</summary>
    public static async Task<IReadOnlyList<string>> RestoreAsync(AsteriskNode node, Guid jobId, CancellationToken ct)
    {
        var done = new List<string>();
        foreach (var file in LiveFileNames)
        {
            var live = Path.Combine(node.ConfigDir, file);
            switch (FindBackup(node.BackupDir, file, jobId))
            {
                case null:
                    break;
                case var marker when marker.EndsWith(AbsentSuffix, StringComparison.Ordinal):
                    await AtomicFile.ReplaceAsync(live, (_, _) => Task.CompletedTask, AtomicFile.SharedWithGroup, ct);
                    done.Add($"emptied {file} (it did not exist before)");
                    break;
                case var backup:
                    await AtomicFile.CopyOverAsync(Path.Combine(node.BackupDir, backup), live, AtomicFile.SharedWithGroup, ct);
                    done.Add($"restored {file} from {backup}");
                    break;
            }
        }
        return done;
    }

    /// <summary>Whether job <paramref name="jobId"/> left a backup of any file in the node's backup folder.</summary>
    public static bool HasBackups(AsteriskNode node, Guid jobId) => LiveFileNames.Any(f => FindBackup(node.BackupDir, f, jobId) is not null);

    /// <summary>The job's backup (or marker) of a file: a regular file, not a link, with a name the backup step gives.</summary>
    private static string? FindBackup(string backupDir, string file, Guid jobId)
    {
        var job = $".{jobId:N}";
        return BackupsOf(backupDir, file)
            .Where(name => name.EndsWith(job, StringComparison.Ordinal) || name.EndsWith(job + AbsentSuffix, StringComparison.Ordinal))
            .Where(name => new FileInfo(Path.Combine(backupDir, name)).LinkTarget is null)
            .Order(StringComparer.Ordinal).LastOrDefault();
    }

    private static IEnumerable<string> BackupsOf(string backupDir, string file) =>
        !Directory.Exists(backupDir)
            ? []
            : Directory.EnumerateFiles(backupDir).Select(Path.GetFileName).OfType<string>()
                .Where(name => name.StartsWith(file, StringComparison.Ordinal) && BackupName().IsMatch(name.AsSpan(file.Length)));

    /// <summary>What follows the live file's name in a backup's name.</summary>
    [GeneratedRegex(@"^\.[0-9]{8}T[0-9]{6}Z\.[0-9a-f]{32}(\.absent)?$")]
    private static partial Regex BackupName();

    private static void CreateFolder(string path)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, FolderMode);
    }

    /// <summary>The line diff of a live file (missing: empty) against a rendered one, section by section.</summary>
    public static ConfigDiff.Result Diff(string live, string rendered, string name, DiffLineFilter? filter) =>
        ConfigDiff.Compare(
            () => File.Exists(live) ? File.OpenRead(live) : Stream.Null,
            () => File.OpenRead(rendered), name, filter);

    /// <summary>What <see cref="Diff"/> counts, without writing the diff (<see cref="ConfigDiff.Count"/>).</summary>
    public static DiffStats CountChanges(string live, string rendered) =>
        ConfigDiff.Count(() => File.Exists(live) ? File.OpenRead(live) : Stream.Null, () => File.OpenRead(rendered));

    /// <summary>The <c>[context]</c> sections of <paramref name="names"/> in a file the renderer wrote (a node's live file or
    /// a rendered one), parsed with the file's line numbers (<see cref="ContextSections"/>).</summary>
    public static IReadOnlyList<DialplanContext> ReadContexts(string path, IReadOnlySet<string> names) =>
        ContextSections.Read(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), names);

    /// <summary>Whether two files have the same bytes (false when either is missing).</summary>
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
