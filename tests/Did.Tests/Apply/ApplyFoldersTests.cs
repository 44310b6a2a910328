using System.Diagnostics;
using Did.Features.Apply;
using Did.Infrastructure.Files;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>The folders Apply works in: a private work folder per process, and configured folders that are refused when
/// another user could read or swap files in them, or when pruning backups could reach live files.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ApplyFoldersTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("apply-folders-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static ApplyWorkFolder WorkFolder(string? workDir) =>
        new(Options.Create(new ApplyOptions { WorkDir = workDir }), NullLogger<ApplyWorkFolder>.Instance);

    [TestCase(true)]
    [TestCase(false)]
    public void Each_process_works_in_a_private_folder_of_its_own_and_removes_it(bool configured)
    {
        var workDir = configured ? Path.Combine(_root, "work") : null;
        string job;
        using (var work = WorkFolder(workDir))
        {
            job = work.CreateFolder("job");
            var root = Path.GetDirectoryName(job)!;
            Assert.That(File.GetUnixFileMode(root), Is.EqualTo(Private));
            Assert.That(File.GetUnixFileMode(job), Is.EqualTo(Private));
            Assert.That(FileStatus.Of(root)!.UserId, Is.EqualTo(FileStatus.EffectiveUserId));
            if (configured) Assert.That(root, Does.StartWith(workDir!));
            using (ApplyWorkFolder.CreateFile(Path.Combine(job, "extensions_custom.conf"))) { }
            Assert.That(File.GetUnixFileMode(Path.Combine(job, "extensions_custom.conf")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            using var other = WorkFolder(workDir);
            Assert.That(Path.GetDirectoryName(other.CreateFolder("job")), Is.Not.EqualTo(root), "another process gets another folder");
        }
        Assert.That(Directory.Exists(Path.GetDirectoryName(job)), Is.False);
    }

    [Test]
    public void A_work_folder_others_may_write_to_is_refused()
    {
        var shared = Directory.CreateDirectory(Path.Combine(_root, "shared")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)0x1FF); // 0777
        var e = Assert.Throws<InvalidOperationException>(() => ApplyWorkFolder.CheckConfigured(shared));
        Assert.That(e!.Message, Does.Contain("Apply:WorkDir").And.Contain("may be written by other users").And.Contain("0777"));
        Assert.Throws<InvalidOperationException>(() => WorkFolder(shared).CreateFolder("job"));
    }

    [Test]
    public void A_work_folder_another_user_owns_is_refused()
    {
        string foreign;
        if (FileStatus.EffectiveUserId == 0)
        {
            foreign = Directory.CreateDirectory(Path.Combine(_root, "foreign")).FullName;
            File.SetUnixFileMode(foreign, Private);
            using var chown = Process.Start("chown", ["65534", foreign]);
            chown.WaitForExit();
            Assert.That(chown.ExitCode, Is.Zero);
        }
        else
        {
            foreign = "/"; // root's
        }
        var e = Assert.Throws<InvalidOperationException>(() => ApplyWorkFolder.CheckConfigured(foreign));
        Assert.That(e!.Message, Does.Contain("Apply:WorkDir").And.Contain("belongs to user"));
    }

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static IReadOnlyList<AsteriskNode> Nodes(IConfiguration config) => new AsteriskNodes(config, NullLoggerFactory.Instance).All;

    [Test]
    public void A_backup_folder_that_is_the_config_folder_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Nodes(Config(("Asterisk:ConfigDir", _root), ("Asterisk:BackupDir", _root + "/"))));
        Assert.That(e!.Message, Does.Contain("Asterisk:BackupDir and Asterisk:ConfigDir are the same folder"));
    }

    [Test]
    public void A_backup_folder_reached_through_a_link_to_the_config_folder_is_refused()
    {
        var link = Path.Combine(_root, "alias");
        Directory.CreateSymbolicLink(link, _root);
        Assert.Throws<InvalidOperationException>(() => Nodes(Config(("Asterisk:ConfigDir", _root), ("Asterisk:BackupDir", link))));
    }

    [Test]
    public void Two_nodes_sharing_a_folder_are_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Nodes(Config(
            ("Asterisk:Nodes:0:ConfigDir", Path.Combine(_root, "a")), ("Asterisk:Nodes:0:BackupDir", Path.Combine(_root, "backup")),
            ("Asterisk:Nodes:1:ConfigDir", Path.Combine(_root, "b")), ("Asterisk:Nodes:1:BackupDir", Path.Combine(_root, "backup")))));
        Assert.That(e!.Message, Does.Contain("Asterisk:Nodes:1:BackupDir and Asterisk:Nodes:0:BackupDir are the same folder"));
    }

    [Test]
    public void The_default_backup_folder_inside_the_config_folder_is_accepted()
    {
        var node = Nodes(Config(("Asterisk:ConfigDir", _root))).Single();
        Assert.That(node.BackupDir, Is.EqualTo(Path.Combine(_root, "backup")));
    }
}
