using Did.Infrastructure.Ami;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Ami;

/// <summary>DialplanExtensionAdd/Remove through our client against the fake switch, which answers as transcript 22 and
/// the README section "Changing extensions without a reload" say a real Asterisk does.</summary>
public sealed class LiveDialplanChangeTests
{
    private string _configDir = "";

    [SetUp]
    public void SetUp()
    {
        _configDir = Directory.CreateTempSubdirectory("ami-live-").FullName;
        File.WriteAllText(Path.Combine(_configDir, "extensions_custom.conf"), Transcript.RecordedDialplan);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_configDir, recursive: true);

    private static async Task<AmiClient> ConnectAsync(FakeAsterisk ast)
    {
        var client = new AmiClient(ast.ClientOptions());
        await client.ConnectAsync();
        return client;
    }

    private static AmiDialplanChange Add(string context, string extension, string data, bool replace = false, int priority = 1) =>
        new(AmiDialplanChangeKind.Add, context, extension, priority, "Goto", data, replace);

    private static AmiDialplanChange Remove(string context, string extension, int priority = 1) =>
        new(AmiDialplanChangeKind.Remove, context, extension, priority);

    private static async Task<string> RawAsync(AmiClient client, AmiAction action)
    {
        try
        {
            return (await client.SendActionAsync(action)).Message ?? "";
        }
        catch (AmiActionFailedException e)
        {
            return "Error: " + e.ServerMessage;
        }
    }

    [Test]
    public async Task Adds_and_replaces_answer_as_the_recorded_asterisk()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var add = Add("from-trunk-external", "+15557770001", "tenant-acme,1001,1").ToAction();
        Assert.That(await RawAsync(client, add), Is.EqualTo("Added requested extension"));
        Assert.That(await RawAsync(client, Add("from-trunk-external", "+15557770001", "tenant-acme,1002,1").ToAction()),
            Is.EqualTo("Error: That extension and priority already exist at that context"));
        Assert.That(await RawAsync(client, Add("from-trunk-external", "+15557770001", "tenant-acme,1002,1", replace: true).ToAction()),
            Is.EqualTo("Added requested extension"));
        Assert.That(await RawAsync(client, Add("did-1555777", "+15557770002/_+44.", "tenant-acme,1002,1").ToAction()),
            Is.EqualTo("Added requested extension"), "a context that does not exist is created");
        Assert.That(await RawAsync(client, Remove("did-1555777", "+15559999999").ToAction()), Is.EqualTo("Error: Failed to remove requested extension"));

        var listed = await client.ShowDialPlanAsync("from-trunk-external", "+15557770001");
        Assert.That(listed.Entries.Select(e => e.AppData), Does.Contain("tenant-acme,1002,1").And.Not.Contain("tenant-acme,1001,1"));
        var variant = await client.ShowDialPlanAsync("did-1555777");
        Assert.That(variant.Entries.Select(e => e.Extension), Is.EqualTo(new[] { "+15557770002" }), "AMI does not show the caller-ID match");

        await client.ReloadModuleAsync("pbx_config");
        Assert.That((await client.ShowDialPlanAsync("from-trunk-external", "+15557770001")).Entries.Select(e => e.Extension),
            Is.EqualTo(new[] { "_+X." }), "a reload rebuilds the dialplan from the files");
    }

    [Test]
    public async Task A_plain_extension_cannot_lose_its_priority_while_a_variant_exists()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        await client.ChangeDialplanAsync([Add("d9", "+1999", "a,1,1"), Add("d9", "+1999/_+44.", "b,1,1")]);
        Assert.That(await RawAsync(client, Remove("d9", "+1999").ToAction()), Is.EqualTo("Error: Failed to remove requested extension"));
        await client.ChangeDialplanAsync([Remove("d9", "+1999/_+44."), Remove("d9", "+1999")]);
        Assert.That((await client.ShowDialPlanAsync("d9")).Entries, Is.Empty, "variant first, then the plain extension: both gone");
        Assert.That(ast.CrashedBecause, Is.Null);
    }

    [Test]
    public async Task The_removal_sequence_that_crashes_a_real_asterisk_crashes_the_fake_loudly()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        await client.ChangeDialplanAsync([Add("d9", "+1999", "a,1,1"), Add("d9", "+1999/_+44.", "b,1,1")]);
        Assert.That(await RawAsync(client, new AmiAction("DialplanExtensionRemove").With("Context", "d9").With("Extension", "+1999")),
            Is.EqualTo("Removed the requested extension"));

        Assert.ThrowsAsync<AmiConnectionException>(() => client.ChangeDialplanAsync([Remove("d9", "+1999/_+44.")]));

        Assert.That(ast.CrashedBecause, Does.Contain("segfaults"));
        Assert.ThrowsAsync<AmiConnectionException>(() => ConnectAsync(ast), "a crashed switch accepts no connection");
    }

    [Test]
    public async Task Changes_are_pipelined_in_order_and_a_refusal_names_the_first()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var many = Enumerable.Range(0, 500).Select(i => Add("did-bulk", $"+1555000{i:D4}", $"tenant-acme,{1000 + i},1")).ToList();
        Assert.That(await client.ChangeDialplanAsync(many), Is.EqualTo(500));
        Assert.That(ast.Dialplan.Contexts["did-bulk"].Extensions, Has.Count.EqualTo(500));

        var e = Assert.ThrowsAsync<AmiActionFailedException>(() => client.ChangeDialplanAsync(
            [Remove("did-bulk", "+15550000000"), Remove("did-bulk", "+15550000000"), Remove("did-bulk", "+15550000001")]));
        Assert.That(e!.ServerMessage, Does.StartWith("1 of 3 dialplan changes refused; first: remove +15550000000,1 from did-bulk: Failed to remove"));
        Assert.That(ast.Dialplan.Contexts["did-bulk"].Extensions, Has.Count.EqualTo(498), "the others were still made, in order");
    }

    [Test]
    public void A_removal_always_names_its_priority()
    {
        var action = Remove("d9", "+1999/_+44.", 2).ToAction();
        Assert.That(action.Headers, Is.EqualTo(new KeyValuePair<string, string>[] { new("Context", "d9"), new("Extension", "+1999/_+44."), new("Priority", "2") }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Remove("d9", "+1999", 0).ToAction());
    }
}
