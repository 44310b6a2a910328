using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>An Apply configuration that could lose or expose files stops the service before it takes a request, with one
/// line that says what to set.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ApplyStartupTests
{
    private string _database = "";
    private string _root = "";

    [OneTimeSetUp]
    public async Task CreateDatabase() => _database = await TestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabase() => TestDatabase.DropAsync(_database);

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("apply-startup-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private string StartFailure(params (string Key, string? Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Asterisk:ConfigDir"] = Path.Combine(_root, "config") };
        foreach (var (key, value) in settings) all[key] = value;
        using var app = new DidApp(_database, all);
        var e = Assert.Catch(() => app.CreateClient(), "the service must not start");
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException) messages.Add(x.Message);
        return string.Join(" | ", messages);
    }

    [TestCase("0")]
    [TestCase("-3")]
    public void Keeping_no_backups_is_refused(string keep) =>
        Assert.That(StartFailure(("Apply:BackupsToKeep", keep)), Does.Contain("Apply:BackupsToKeep must be at least 1"));

    [Test]
    public void Backups_in_the_config_folder_itself_are_refused() =>
        Assert.That(StartFailure(("Asterisk:BackupDir", Path.Combine(_root, "config"))),
            Does.Contain("Asterisk:BackupDir and Asterisk:ConfigDir are the same folder"));

    [Test]
    public void A_work_folder_others_may_write_to_is_refused()
    {
        var shared = Directory.CreateDirectory(Path.Combine(_root, "shared")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)0x1FF); // 0777
        Assert.That(StartFailure(("Apply:WorkDir", shared)), Does.Contain("may be written by other users"));
    }

    [Test]
    public void A_sound_configuration_starts()
    {
        using var app = new DidApp(_database, new Dictionary<string, string?>
        {
            ["Asterisk:ConfigDir"] = Path.Combine(_root, "config"),
            ["Apply:WorkDir"] = Path.Combine(_root, "work"),
            ["Apply:BackupsToKeep"] = "1",
        });
        Assert.DoesNotThrow(() => app.CreateClient());
    }
}
