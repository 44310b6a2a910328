using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Did.Infrastructure.Files;

/// <summary>Who owns a file or folder, its mode and its identity (device and inode), read with Linux's
/// <c>statx(2)</c>, whose layout is the same on every architecture. .NET reads modes but not owners; the Apply folders
/// need both (a work folder someone else owns is refused, and two configured folders that are one folder are
/// recognised whatever path leads to them).</summary>
public sealed partial record FileStatus(uint UserId, uint GroupId, UnixFileMode Mode, ulong Device, ulong Inode)
{
    /// <summary>The status of <paramref name="path"/> (symbolic links followed); null when it does not exist or the
    /// system is not Linux.</summary>
    public static FileStatus? Of(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        Span<byte> buffer = stackalloc byte[256];
        if (Native.Statx(AtCurrentFolder, path, 0, BasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is 2 or 20) return null; // ENOENT, ENOTDIR
            throw new IOException($"Cannot read the status of {Path.GetFileName(path)}: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
        return new FileStatus(
            MemoryMarshal.Read<uint>(buffer[20..]),
            MemoryMarshal.Read<uint>(buffer[24..]),
            (UnixFileMode)(MemoryMarshal.Read<ushort>(buffer[28..]) & 0xFFF),
            ((ulong)MemoryMarshal.Read<uint>(buffer[136..]) << 32) | MemoryMarshal.Read<uint>(buffer[140..]),
            MemoryMarshal.Read<ulong>(buffer[32..]));
    }

    /// <summary>The user this process acts as (0 is root); null when the system is not Linux.</summary>
    public static uint? EffectiveUserId => OperatingSystem.IsLinux() ? Native.Geteuid() : null;

    /// <summary>Gives an open file another group (the owner stays). False when the system refuses (the process is not in
    /// that group), so the caller can say what to fix.</summary>
    public static bool TrySetGroup(SafeFileHandle file, uint groupId)
    {
        if (!OperatingSystem.IsLinux()) return true;
        return Native.Fchown((int)file.DangerousGetHandle(), uint.MaxValue, groupId) == 0;
    }

    public bool IsSameFileAs(FileStatus other) => Device == other.Device && Inode == other.Inode;

    private const int AtCurrentFolder = -100; // AT_FDCWD
    private const uint BasicStats = 0x7FF;    // STATX_BASIC_STATS

    private static partial class Native
    {
        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Statx(int dirFd, string path, int flags, uint mask, ref byte buffer);

        [LibraryImport("libc", EntryPoint = "geteuid")]
        public static partial uint Geteuid();

        [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
        public static partial int Fchown(int fd, uint owner, uint group);
    }
}
