using System.Runtime.InteropServices;

namespace Did.Infrastructure.Files;

/// <summary>Replaces a file so that a reader (Asterisk) sees either the old or the new content, never a mix, and a
/// power cut leaves one of the two: temp file in the same folder, fsync, rename over, fsync the folder. The new file
/// is created with the given mode (never wider, whatever the umask) and the group of its folder, so a folder that
/// belongs to Asterisk's group keeps files Asterisk can read without making them readable by everyone.</summary>
public static partial class AtomicFile
{
    /// <summary>Owner reads and writes, the folder's group reads, nobody else: live dialplan files and their backups.</summary>
    public const UnixFileMode SharedWithGroup = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public static async Task ReplaceAsync(string path, Func<Stream, CancellationToken, Task> write, UnixFileMode mode, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var folderGroup = FileStatus.Of(dir)?.GroupId;
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16,
                Options = FileOptions.Asynchronous,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            await using (var stream = new FileStream(temp, options))
            {
                if (folderGroup is { } group && FileStatus.Of(temp)?.GroupId != group && !FileStatus.TrySetGroup(stream.SafeFileHandle, group))
                    throw new IOException($"Cannot give {Path.GetFileName(path)} the group of its folder (gid {group}): " +
                                          "add the service's user to that group, or give the folder the service's group.");
                await write(stream, ct);
                await stream.FlushAsync(ct);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true); // rename(2): atomic within one filesystem
            SyncDirectory(dir);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static Task CopyOverAsync(string source, string path, UnixFileMode mode, CancellationToken ct) =>
        ReplaceAsync(path, async (s, c) =>
        {
            await using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await from.CopyToAsync(s, c);
        }, mode, ct);

    /// <summary>Makes the rename itself durable (the directory entry), not just the file's bytes.</summary>
    public static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
