using System.Text;
using Did.Dialplan;
using Did.Features.Apply;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>The files Apply keeps on a switch host: replaced atomically, readable by the folder's group only, backups
/// pruned by their own names, restored only from the node's own backup folder.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeFilesTests
{
    private const UnixFileMode GroupReadable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private string _root = "";
    private AsteriskNode _node = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("node-files-").FullName;
        _node = new AsteriskNode("asterisk", Path.Combine(_root, "config"), Path.Combine(_root, "backup"), null);
        Directory.CreateDirectory(_node.ConfigDir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static int MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", ["-m", "600", path]);
        mkfifo.WaitForExit();
        return mkfifo.ExitCode;
    }

    /// <summary>The rendered file is a pipe the test feeds: once the writer has taken the first half (a pipe holds at
    /// most 64 KiB, so a write of 1 MiB returns only when the reader has taken all but that), a write in place would
    /// already have cut or begun the live file. The live file must still be the old one, whole.</summary>
    [Test]
    public async Task A_reader_of_the_live_file_never_sees_part_of_a_write()
    {
        var old = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("exten => 1001,1,Hangup() ; the old dialplan\n", 50_000)));
        File.WriteAllBytes(_node.ExtensionsPath, old);
        var rendered = Path.Combine(_root, "rendered");
        Directory.CreateDirectory(rendered);
        var extensions = Path.Combine(rendered, DialplanRenderer.ExtensionsFileName);
        var queues = Path.Combine(rendered, DialplanRenderer.QueuesFileName);
        Assert.That(MakeFifo(extensions), Is.Zero);
        File.WriteAllText(queues, "");
        var next = new byte[2 << 20];
        next.AsSpan().Fill((byte)'x');

        var write = Task.Run(() => NodeFiles.WriteAsync(_node, new RenderedFiles(extensions, queues, null!), CancellationToken.None));
        await using (var pipe = new FileStream(extensions, FileMode.Open, FileAccess.Write))
        {
            await pipe.WriteAsync(next.AsMemory(0, next.Length / 2));
            await pipe.FlushAsync();
            Assert.That(File.ReadAllBytes(_node.ExtensionsPath), Is.EqualTo(old), "halfway through the write, the live file is the old one, whole");
            await pipe.WriteAsync(next.AsMemory(next.Length / 2));
        }
        await write;
        Assert.That(File.ReadAllBytes(_node.ExtensionsPath), Is.EqualTo(next));
        Assert.That(Directory.GetFiles(_node.ConfigDir).Select(Path.GetFileName), Is.EquivalentTo(new[] { DialplanRenderer.ExtensionsFileName, DialplanRenderer.QueuesFileName }), "no temp file is left behind");
    }

    [Test]
    public async Task Written_files_and_backups_are_readable_by_the_owner_and_the_folders_group_only()
    {
        File.WriteAllText(_node.ExtensionsPath, "[old]\n");
        File.SetUnixFileMode(_node.ExtensionsPath, GroupReadable | UnixFileMode.OtherRead);
        var backups = await NodeFiles.BackupAsync(_node, Guid.CreateVersion7(), DateTime.UtcNow, 3, CancellationToken.None);
        await NodeFiles.WriteAsync(_node, Rendered("[new]\n"), CancellationToken.None);

        Assert.That(File.GetUnixFileMode(_node.ExtensionsPath), Is.EqualTo(GroupReadable));
        Assert.That(File.GetUnixFileMode(_node.QueuesPath), Is.EqualTo(GroupReadable));
        foreach (var b in backups) Assert.That(File.GetUnixFileMode(Path.Combine(_node.BackupDir, b.Backup)), Is.EqualTo(GroupReadable), b.Backup);
    }

    [Test]
    public async Task Pruning_deletes_only_older_backups_of_its_own_naming()
    {
        Directory.CreateDirectory(_node.BackupDir);
        var unrelated = new[] { "extensions_custom.conf", "extensions_custom.conf.keep-me", "extensions_custom.conf.20200101T000000Z.not-a-job", "notes.txt" };
        foreach (var name in unrelated) File.WriteAllText(Path.Combine(_node.BackupDir, name), name);
        File.WriteAllText(_node.ExtensionsPath, "[live]\n");

        var jobs = Enumerable.Range(0, 4).Select(_ => Guid.CreateVersion7()).ToList();
        var made = new List<string>();
        for (var i = 0; i < jobs.Count; i++)
            made.Add((await NodeFiles.BackupAsync(_node, jobs[i], new DateTime(2026, 12, 6, 10, 0, i, DateTimeKind.Utc), 2, CancellationToken.None))[0].Backup);

        var left = Directory.GetFiles(_node.BackupDir).Select(Path.GetFileName).ToList();
        Assert.That(left, Is.SupersetOf(unrelated));
        Assert.That(left.Where(n => n!.StartsWith("extensions_custom.conf.2026")), Is.EquivalentTo(made.TakeLast(2)));
        Assert.That(File.ReadAllText(_node.ExtensionsPath), Is.EqualTo("[live]\n"));
    }

    [Test]
    public async Task The_backup_just_made_is_kept_even_when_older_names_sort_after_it()
    {
        // A clock set back: earlier backups carry later stamps than the one being made now.
        File.WriteAllText(_node.ExtensionsPath, "[live]\n");
        await NodeFiles.BackupAsync(_node, Guid.CreateVersion7(), new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), 1, CancellationToken.None);
        var now = await NodeFiles.BackupAsync(_node, Guid.CreateVersion7(), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), 1, CancellationToken.None);
        Assert.That(File.Exists(Path.Combine(_node.BackupDir, now[0].Backup)), Is.True);
    }

    [Test]
    public async Task Restore_puts_back_the_jobs_copies_and_empties_files_that_did_not_exist()
    {
        File.WriteAllText(_node.ExtensionsPath, "[before]\n");
        var job = Guid.CreateVersion7();
        await NodeFiles.BackupAsync(_node, job, DateTime.UtcNow, 3, CancellationToken.None);
        await NodeFiles.WriteAsync(_node, Rendered("[after]\n"), CancellationToken.None);

        var done = await NodeFiles.RestoreAsync(_node, job, CancellationToken.None);

        Assert.That(File.ReadAllText(_node.ExtensionsPath), Is.EqualTo("[before]\n"));
        Assert.That(new FileInfo(_node.QueuesPath).Length, Is.Zero, "queues_custom.conf did not exist: emptied, not removed");
        Assert.That(done, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Restore_of_a_job_that_left_no_backup_touches_nothing_and_ignores_links_and_look_alikes()
    {
        File.WriteAllText(_node.ExtensionsPath, "[live]\n");
        Directory.CreateDirectory(_node.BackupDir);
        var job = Guid.CreateVersion7();
        var outside = Path.Combine(_root, "planted.conf");
        File.WriteAllText(outside, "[planted]\n");
        File.CreateSymbolicLink(Path.Combine(_node.BackupDir, $"extensions_custom.conf.20261206T000000Z.{job:N}"), outside);
        File.WriteAllText(Path.Combine(_node.BackupDir, $"extensions_custom.conf.planted.{job:N}"), "[planted]\n");

        var done = await NodeFiles.RestoreAsync(_node, job, CancellationToken.None);

        Assert.That(done, Is.Empty);
        Assert.That(File.ReadAllText(_node.ExtensionsPath), Is.EqualTo("[live]\n"));
        Assert.That(File.Exists(_node.QueuesPath), Is.False);
    }

    private RenderedFiles Rendered(string extensions)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "rendered-" + Guid.NewGuid().ToString("N"))).FullName;
        var e = Path.Combine(folder, DialplanRenderer.ExtensionsFileName);
        var q = Path.Combine(folder, DialplanRenderer.QueuesFileName);
        File.WriteAllText(e, extensions);
        File.WriteAllText(q, "");
        return new RenderedFiles(e, q, null!);
    }
}
