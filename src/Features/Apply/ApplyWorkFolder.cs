using Did.Infrastructure.Files;
using Microsoft.Extensions.Options;

namespace Did.Features.Apply;

/// <summary>Where applies and previews render before anything is compared or copied: a folder private to this process
/// (0700), made on first use inside <c>Apply:WorkDir</c> or, when that is not set, in the system temp folder (with
/// mkdtemp, so nobody can create it first), and removed when the service stops. Nobody else can read a tenant's
/// dialplan there or swap a file between lint and write. Work files are 0600.</summary>
public sealed class ApplyWorkFolder(IOptions<ApplyOptions> options, ILogger<ApplyWorkFolder> log) : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode WorkFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // Guards only the one-time creation of the process's folder (a failure is not remembered: the next use tries again).
    private readonly Lock _create = new();
    private string? _root;

    /// <summary>A new folder for one job or preview, inside this process's private folder.</summary>
    public string CreateFolder(string name)
    {
        var path = Path.Combine(Root, name);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, Private);
        return path;
    }

    /// <summary>Removes a job's folder; a failure is logged, never thrown (the job's outcome does not depend on it).</summary>
    public void Remove(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { log.LogWarning(e, "Could not remove apply work folder {Dir}", folder); }
    }

    /// <summary>A file for rendered text that only this process's user may read.</summary>
    public static FileStream CreateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = WorkFileMode;
        return new FileStream(path, options);
    }

    private string Root
    {
        get
        {
            lock (_create) return _root ??= CreateRoot(options.Value.WorkDir);
        }
    }

    private static string CreateRoot(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured)) return Directory.CreateTempSubdirectory("did-apply-").FullName;
        CheckConfigured(configured);
        var path = Path.Combine(Path.GetFullPath(configured), $"did-apply-{Environment.ProcessId}-{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows()) return Directory.CreateDirectory(path).FullName;
        Directory.CreateDirectory(path, Private);
        CheckOwnedAndPrivate(path, "the apply work folder it created");
        return path;
    }

    /// <summary>Refuses a configured <c>Apply:WorkDir</c> that another user owns or that others may write to (they could
    /// replace this process's folder in it). A missing one is created, private.</summary>
    public static void CheckConfigured(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured)) return;
        if (!Directory.Exists(configured))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(configured);
            else Directory.CreateDirectory(configured, Private);
        }
        if (FileStatus.Of(configured) is not { } status || FileStatus.EffectiveUserId is not { } me) return;
        if (status.UserId != me)
            throw new InvalidOperationException(
                $"Apply:WorkDir ({configured}) belongs to user {status.UserId}, not to the service's user {me}: use a folder the service owns, or leave Apply__WorkDir unset for a private one in the system temp folder.");
        if ((status.Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new InvalidOperationException(
                $"Apply:WorkDir ({configured}) may be written by other users (mode {Octal(status.Mode)}): make it 0700 (chmod 700), or leave Apply__WorkDir unset for a private one in the system temp folder.");
    }

    private static void CheckOwnedAndPrivate(string path, string what)
    {
        if (FileStatus.Of(path) is not { } status || FileStatus.EffectiveUserId is not { } me) return;
        if (status.UserId != me || (status.Mode & ~Private) != 0)
            throw new IOException($"{what} is not private to the service's user (owner {status.UserId}, mode {Octal(status.Mode)}).");
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    public void Dispose()
    {
        string? root;
        lock (_create) root = _root;
        if (root is not null) Remove(root);
    }
}
