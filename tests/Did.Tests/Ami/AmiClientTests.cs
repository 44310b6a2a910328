using Did.Infrastructure.Ami;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Ami;

public sealed class AmiClientTests
{
    private string _configDir = "";
    private string DialplanFile => Path.Combine(_configDir, "extensions_custom.conf");

    [SetUp]
    public void SetUp()
    {
        _configDir = Directory.CreateTempSubdirectory("ami-client-").FullName;
        File.WriteAllText(DialplanFile, Transcript.RecordedDialplan);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_configDir, recursive: true);

    private static async Task<AmiClient> ConnectAsync(FakeAsterisk ast, Action<AmiOptions>? configure = null, ListLogger? log = null)
    {
        var options = ast.ClientOptions();
        configure?.Invoke(options);
        var client = new AmiClient(options, log is null ? null : new ListLogger<AmiClient>(log));
        await client.ConnectAsync();
        return client;
    }

    [Test]
    public async Task Plain_login_connects_and_sends_the_secret()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast, o => o.AuthType = "plain");
        await client.PingAsync();
        Assert.That(client.Banner, Is.EqualTo("Asterisk Call Manager/13.0.0"));
        Assert.That(ast.Actions.Select(a => a.Name), Is.EqualTo(new[] { "Login", "Ping" }));
        Assert.That(ast.Actions[0]["Secret"], Is.EqualTo("heldout-secret"));
    }

    [Test]
    public async Task Md5_login_sends_a_challenge_key_and_never_the_secret()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast, o => o.AuthType = "md5");
        Assert.That(ast.Actions.Select(a => a.Name), Is.EqualTo(new[] { "Challenge", "Login" }));
        var login = ast.Actions[1];
        Assert.That(login["Key"], Does.Match("^[0-9a-f]{32}$"));
        Assert.That(login.Headers.Any(h => h.Value.Contains("heldout-secret")), Is.False);
        Assert.DoesNotThrowAsync(() => client.PingAsync(), "the session is logged in");
    }

    [Test]
    public void Md5_key_is_lowercase_hex_md5_of_challenge_and_secret()
    {
        // Transcript 03's recorder note (the recorded secret is the README's heldout-secret).
        Assert.That(AmiClient.Md5Key("117622875", "heldout-secret"), Is.EqualTo("35494d710b4ea94ac3af650e2e87e0da"));
    }

    [Test]
    public async Task Default_event_mask_asks_for_system_events_only()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast, o => o.EventMask = new AmiOptions().EventMask);
        Assert.That(ast.Actions.Single(a => a.Name == "Login")["Events"], Is.EqualTo("system"));
        Assert.That((await client.ReloadModuleAsync("pbx_config")).Success, Is.True, "Reload events are system class");
    }

    [TestCase("plain")]
    [TestCase("md5")]
    public async Task Wrong_secret_fails_with_authentication_failed_and_no_secret_in_message_or_log(string authType)
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        var log = new ListLogger();
        var options = ast.ClientOptions(authType, secret: "wrong-secret-42");
        await using var client = new AmiClient(options, new ListLogger<AmiClient>(log));
        var e = Assert.ThrowsAsync<AmiAuthenticationException>(() => client.ConnectAsync());
        Assert.That(e!.Message, Does.Contain("Authentication failed"));
        Assert.That(e.Message + options, Does.Not.Contain("wrong-secret-42"));
        Assert.That(log.Lines, Has.None.Contains("wrong-secret-42"));
        Assert.ThrowsAsync<AmiConnectionException>(() => client.PingAsync(), "the refused session's connection is closed");
    }

    [Test]
    public async Task Ping_is_answered()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        Assert.DoesNotThrowAsync(() => client.PingAsync());
    }

    [Test]
    public async Task Reload_installs_the_new_file_and_reports_status_done()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        File.WriteAllText(DialplanFile, "[did-1555]\nexten => +15550000001,1,Goto(tenant-x,1001,1)\n");
        var result = await client.ReloadModuleAsync("pbx_config");
        Assert.That(result, Is.EqualTo(new AmiReloadResult(true, "pbx_config", AmiReloadStatus.Done, "Module Reloaded", false)));
        Assert.That(ast.Dialplan.Contexts.Keys, Is.EquivalentTo(new[] { "did-1555" }));
    }

    [Test]
    public async Task Reload_with_the_file_missing_fails_with_status_error_and_keeps_the_old_dialplan()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        File.Delete(DialplanFile);
        var result = await client.ReloadModuleAsync("pbx_config");
        Assert.That(result.Success, Is.False);
        Assert.That(result.Status, Is.EqualTo(AmiReloadStatus.Error));
        Assert.That(result.Message, Is.EqualTo("An unknown error occurred"));
        Assert.That((await client.ShowDialPlanAsync("tenant-acme")).Entries, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Reload_error_fault_is_a_failure_even_though_the_connection_stays_usable()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        ast.Faults.FailReload = true;
        var result = await client.ReloadModuleAsync("pbx_config");
        Assert.That((result.Success, result.Status), Is.EqualTo((false, (AmiReloadStatus?)AmiReloadStatus.Error)));
        Assert.DoesNotThrowAsync(() => client.PingAsync());
        Assert.That(ast.DialplanReloads, Is.Zero);
    }

    [Test]
    public async Task Reload_queued_while_booting_waits_for_the_later_done_event()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        ast.Faults.QueueReloadFor = TimeSpan.FromMilliseconds(300);
        File.WriteAllText(DialplanFile, "[late]\nexten => 1,1,Hangup()\n");
        var result = await client.ReloadModuleAsync("pbx_config");
        Assert.That(result.Success, Is.True);
        Assert.That(result.WasQueued, Is.True);
        Assert.That(result.Status, Is.EqualTo(AmiReloadStatus.Done));
        Assert.That(ast.Dialplan.Contexts.Keys, Is.EquivalentTo(new[] { "late" }), "the call returns only once the queued reload has installed the file");
    }

    [Test]
    public async Task Reload_queued_and_never_done_times_out()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast, o => o.ReloadTimeout = TimeSpan.FromMilliseconds(400));
        ast.Faults.QueueReloadFor = TimeSpan.FromSeconds(30);
        var e = Assert.ThrowsAsync<AmiTimeoutException>(() => client.ReloadModuleAsync("pbx_config"));
        Assert.That(e!.Message, Does.Contain("queued"));
    }

    [Test]
    public async Task Reload_event_arriving_before_the_response_is_not_missed()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        ast.Faults.ReloadEventBeforeResponse = true;
        var result = await client.ReloadModuleAsync("pbx_config");
        Assert.That((result.Success, result.Status), Is.EqualTo((true, (AmiReloadStatus?)AmiReloadStatus.Done)));
    }

    [Test]
    public async Task Reload_of_an_unknown_module_fails_with_not_found()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var result = await client.ReloadModuleAsync("no_such_module");
        Assert.That((result.Success, result.Status, result.Message), Is.EqualTo((false, (AmiReloadStatus?)AmiReloadStatus.NotFound, "No such module")));
    }

    [Test]
    public async Task Second_reload_is_answered_after_the_first_finishes()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var a = await ConnectAsync(ast);
        await using var b = await ConnectAsync(ast);
        var gate = ast.Faults.HoldReload = new FakeGate();
        var first = a.ReloadModuleAsync("pbx_config");
        await gate.Reached; // the first reload holds the switch's reload
        var second = b.ReloadModuleAsync("pbx_config");
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ast.CountActions("Reload") < 2; await Task.Delay(20))
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the switch never got the second Reload");
        Assert.That(second.IsCompleted, Is.False, "the second reload is not answered while the first is running");
        gate.Open();
        var results = await Task.WhenAll(first, second);
        Assert.That(results.Select(r => r.Success), Is.All.True);
    }

    [Test]
    public async Task Reload_that_silently_drops_a_context_is_visible_only_through_show_dialplan()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        ast.Faults.ReloadDropsContexts.Add("tenant-acme");
        Assert.That((await client.ReloadModuleAsync("pbx_config")).Success, Is.True);
        var shown = await client.ShowDialPlanAsync("tenant-acme");
        Assert.That(shown.Lookup, Is.EqualTo(AmiDialplanLookup.ContextNotFound));
        Assert.That(shown.Message, Is.EqualTo("Did not find context tenant-acme"));
    }

    [Test]
    public async Task Reload_that_installs_something_else_is_visible_through_show_dialplan()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        ast.Faults.ReloadInstallsText = "[tenant-acme]\nexten => 1001,1,Hangup()\n";
        Assert.That((await client.ReloadModuleAsync("pbx_config")).Success, Is.True);
        var shown = await client.ShowDialPlanAsync("tenant-acme");
        Assert.That(shown.Entries.Select(e => e.Application), Is.EqualTo(new[] { "Hangup" }));
    }

    [Test]
    public async Task Reload_that_installs_nothing_leaves_the_old_dialplan()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        ast.Faults.ReloadInstallsNothing = true;
        File.WriteAllText(DialplanFile, "[other]\nexten => 1,1,Hangup()\n");
        Assert.That((await client.ReloadModuleAsync("pbx_config")).Success, Is.True);
        Assert.That((await client.ShowDialPlanAsync("other")).Found, Is.False);
        Assert.That((await client.ShowDialPlanAsync("tenant-acme")).Found, Is.True);
    }

    [Test]
    public async Task Show_dialplan_lists_every_priority_of_a_context()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var shown = await client.ShowDialPlanAsync("tenant-acme");
        Assert.That(shown.Found, Is.True);
        Assert.That(shown.Entries, Is.EqualTo(new[]
        {
            new AmiDialplanEntry("tenant-acme", "1001", "1", "Dial", "PJSIP/acme-1001,30", "pbx_config"),
            new AmiDialplanEntry("tenant-acme", "1001", "2", "VoiceMail", "1001@tenant-acme", "pbx_config"),
            new AmiDialplanEntry("tenant-acme", "1001", "3", "Hangup", "", "pbx_config"),
        }));
        Assert.That(shown.Entries.Select(e => e.Priority), Is.EqualTo(new int?[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Show_dialplan_for_a_number_lists_the_matching_patterns_too()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var shown = await client.ShowDialPlanAsync("from-trunk-external", "+15551234567");
        Assert.That(shown.Entries.Select(e => (e.Extension, e.AppData)), Is.EqualTo(new[]
        {
            ("+15551234567", "tenant-acme,1001,1"),
            ("_+X.", ""),
        }));
    }

    [Test]
    public async Task Show_dialplan_of_a_missing_context_says_context_not_found()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var shown = await client.ShowDialPlanAsync("nosuch");
        Assert.That((shown.Lookup, shown.Message, shown.Entries.Count), Is.EqualTo((AmiDialplanLookup.ContextNotFound, "Did not find context nosuch", 0)));
    }

    [Test]
    public async Task Show_dialplan_of_an_unmatched_number_says_extension_not_found()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var shown = await client.ShowDialPlanAsync("tenant-acme", "9999");
        Assert.That((shown.Lookup, shown.Message), Is.EqualTo((AmiDialplanLookup.ExtensionNotFound, "Did not find extension 9999@tenant-acme")));
    }

    [Test]
    public async Task Show_dialplan_reports_hints_and_includes()
    {
        File.WriteAllText(DialplanFile, "[t]\ninclude => t-users\nexten => 1001,hint,PJSIP/t-1001\nexten => 1001,1,Dial(PJSIP/t-1001)\n");
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var shown = await client.ShowDialPlanAsync("t");
        Assert.That(shown.Entries.Select(e => (e.PriorityText, e.Priority, e.IsHint, e.Application)), Is.EqualTo(new[]
        {
            ("hint", (int?)null, true, "PJSIP/t-1001"),
            ("1", 1, false, "Dial"),
        }));
        Assert.That(shown.Includes, Is.EqualTo(new[] { new AmiDialplanInclude("t", "t-users", "pbx_config") }));
    }

    [Test]
    public async Task Command_returns_output_lines()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var result = await client.CommandAsync("dialplan reload");
        Assert.That(result, Is.EqualTo(new AmiCommandResult(true, result.Lines)));
        Assert.That(result.Lines, Is.EqualTo(new[] { "Dialplan reloaded." }));
        Assert.That((await client.CommandAsync("queue reload all")).Lines, Is.EqualTo(new[] { "" }));
    }

    [Test]
    public async Task Command_in_the_follows_form_of_asterisk_18_to_20_returns_the_same_lines()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir, new FakeAsteriskOptions { CommandStyle = FakeCommandStyle.Follows });
        await using var client = await ConnectAsync(ast);
        var result = await client.CommandAsync("dialplan reload");
        Assert.That((result.Success, result.Output), Is.EqualTo((true, "Dialplan reloaded.")));
        await client.PingAsync();
    }

    [Test]
    public async Task Unknown_cli_command_is_an_unsuccessful_result_with_the_cli_message()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var result = await client.CommandAsync("no such cli command");
        Assert.That(result.Success, Is.False);
        Assert.That(result.Output, Does.StartWith("No such command 'no such cli command'"));
    }

    [Test]
    public async Task Queue_reload_succeeds()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        await client.QueueReloadAsync();
        Assert.That(ast.QueueReloads, Is.EqualTo(1));
    }

    [Test]
    public async Task Unknown_action_throws_with_the_server_message()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var e = Assert.ThrowsAsync<AmiActionFailedException>(() => client.SendActionAsync(new AmiAction("NoSuchAction")));
        Assert.That(e!.ServerMessage, Is.EqualTo("Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands."));
        await client.PingAsync();
    }

    [Test]
    public async Task Response_that_never_comes_times_out()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast, o => o.ResponseTimeout = TimeSpan.FromMilliseconds(300));
        ast.Faults.NeverRespondTo.Add("ShowDialPlan");
        Assert.ThrowsAsync<AmiTimeoutException>(() => client.ShowDialPlanAsync("tenant-acme"));
        await client.PingAsync();
    }

    [Test]
    public async Task Connection_dropped_mid_response_fails_the_call_promptly()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast, o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
        ast.Faults.DropConnectionMidResponse.Add("ShowDialPlan");
        // A connection failure, not a timeout (which would be an AmiTimeoutException after 30 s).
        var e = Assert.ThrowsAsync<AmiConnectionException>(() => client.ShowDialPlanAsync("tenant-acme"));
        Assert.That(e!.Message, Does.Contain("ShowDialPlan"));
        Assert.ThrowsAsync<AmiConnectionException>(() => client.PingAsync());
    }

    [Test]
    public async Task Connection_loss_fails_every_pending_call()
    {
        var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast, o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
        ast.Faults.NeverRespondTo.Add("Ping");
        ast.Faults.NeverRespondTo.Add("Reload");
        var pings = new[] { client.PingAsync(), client.PingAsync(), client.ReloadModuleAsync("pbx_config") };
        while (ast.Actions.Count < 5) await Task.Delay(5);
        Assert.That(pings.Select(p => p.IsCompleted), Is.All.False, "all three wait for an answer");
        await ast.DisposeAsync();
        foreach (var call in pings)
            Assert.ThrowsAsync<AmiConnectionException>(async () => await call.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task Logoff_ends_the_session_without_error()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        await client.LogoffAsync();
        Assert.ThrowsAsync<AmiConnectionException>(() => client.PingAsync(), "the session is over");
        Assert.That(ast.CountActions("Logoff"), Is.EqualTo(1));
    }

    [Test]
    public async Task Events_interleaved_with_a_response_are_routed_by_action_id()
    {
        // Transcript 15: events (one, OriginateResponse, carrying Response: Success and another action's ActionID)
        // arrive before and after the Ping's response.
        await using var server = new ScriptedAmiServer(action => action["Action"] switch
        {
            "Login" => ScriptedAmiServer.LoginOk(action),
            "Ping" =>
                "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: Local/+15551234567@from-trunk-external-00000000;1\r\nAccountCode: \r\n\r\n"
                + "Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: a2\r\nResponse: Success\r\nChannel: Local/x\r\n\r\n"
                + $"Event: Hangup\r\nPrivilege: call,all\r\nActionID: {action.ActionId}x\r\n\r\n"
                + $"Response: Success\r\nActionID: {action.ActionId}\r\nPing: Pong\r\nTimestamp: 1795607129.130000\r\n\r\n"
                + "Event: Newexten\r\nPrivilege: dialplan,all\r\nAppData: (Outgoing Line)\r\n\r\n",
            _ => null,
        });
        var options = new AmiOptions { Host = "127.0.0.1", Port = server.Port, Username = "u", Secret = "s", AuthType = "plain" };
        await using var client = new AmiClient(options);
        await client.ConnectAsync();
        using var events = client.SubscribeEvents();
        await client.PingAsync();
        var seen = new List<string?>();
        for (var i = 0; i < 4; i++) seen.Add((await events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(3))).EventName);
        Assert.That(seen, Is.EqualTo(new[] { "Newchannel", "OriginateResponse", "Hangup", "Newexten" }));
    }

    [Test]
    public async Task Show_dialplan_whose_announced_count_differs_from_the_list_is_a_protocol_error()
    {
        await using var server = new ScriptedAmiServer(action => action["Action"] switch
        {
            "Login" => ScriptedAmiServer.LoginOk(action),
            "ShowDialPlan" =>
                $"Response: Success\r\nActionID: {action.ActionId}\r\nEventList: start\r\nMessage: DialPlan list will follow\r\n\r\n"
                + $"Event: ListDialplan\r\nActionID: {action.ActionId}\r\nContext: c\r\nExtension: 1\r\nPriority: 1\r\nApplication: Hangup\r\nAppData: \r\nRegistrar: pbx_config\r\n\r\n"
                + $"Event: ShowDialPlanComplete\r\nActionID: {action.ActionId}\r\nEventList: Complete\r\nListItems: 2\r\nListExtensions: 1\r\nListPriorities: 2\r\nListContexts: 1\r\n\r\n",
            _ => null,
        });
        await using var client = new AmiClient(new AmiOptions { Host = "127.0.0.1", Port = server.Port, Username = "u", Secret = "s", AuthType = "plain" });
        await client.ConnectAsync();
        Assert.ThrowsAsync<AmiProtocolException>(() => client.ShowDialPlanAsync("c"));
    }

    private static string ListStart(AmiMessage action) =>
        $"Response: Success\r\nActionID: {action.ActionId}\r\nEventList: start\r\nMessage: DialPlan list will follow\r\n\r\n";

    private static string ListItems(AmiMessage action, int count, int appDataLength = 0) => string.Concat(Enumerable.Range(0, count).Select(i =>
        $"Event: ListDialplan\r\nActionID: {action.ActionId}\r\nContext: c\r\nExtension: {1000 + i}\r\nPriority: 1\r\nApplication: Hangup\r\n" +
        $"AppData: {new string('x', appDataLength)}\r\nRegistrar: pbx_config\r\n\r\n"));

    [TestCase(50, 0, "items")]
    [TestCase(5, 8000, "bytes")]
    public async Task Show_dialplan_answer_past_its_limits_fails_and_closes_the_connection(int items, int appData, string bound)
    {
        // The list never completes: without a bound the client would keep every event it is sent.
        await using var server = new ScriptedAmiServer(action => action["Action"] switch
        {
            "Login" => ScriptedAmiServer.LoginOk(action),
            "ShowDialPlan" => ListStart(action) + ListItems(action, items, appData),
            _ => null,
        });
        await using var client = new AmiClient(new AmiOptions { Host = "127.0.0.1", Port = server.Port, Username = "u", Secret = "s", AuthType = "plain" });
        await client.ConnectAsync();
        var e = Assert.ThrowsAsync<AmiProtocolException>(() => client.ShowDialPlanAsync("c", limits: new AmiListLimits(10, 20_000)));
        Assert.That(e!.Message, Does.Contain("went past 10 items or 20000 bytes"), bound);
        Assert.ThrowsAsync<AmiConnectionException>(() => client.PingAsync(), "the rest of the list is still coming: the connection is closed");
    }

    [Test]
    public async Task Show_dialplan_answer_that_never_completes_times_out()
    {
        await using var server = new ScriptedAmiServer(action => action["Action"] switch
        {
            "Login" => ScriptedAmiServer.LoginOk(action),
            "ShowDialPlan" => ListStart(action) + ListItems(action, 3),
            _ => null,
        });
        var options = new AmiOptions { Host = "127.0.0.1", Port = server.Port, Username = "u", Secret = "s", AuthType = "plain", ResponseTimeout = TimeSpan.FromMilliseconds(300) };
        await using var client = new AmiClient(options);
        await client.ConnectAsync();
        Assert.ThrowsAsync<AmiTimeoutException>(() => client.ShowDialPlanAsync("c"));
    }

    [Test]
    public void List_limits_for_verify_follow_what_was_rendered()
    {
        Assert.That(AmiListLimits.Around(0), Is.EqualTo(new AmiListLimits(1_000, 1_000 * 4096L)));
        Assert.That(AmiListLimits.Around(1_000), Is.EqualTo(new AmiListLimits(3_000, 3_000 * 4096L)));
    }

    [Test]
    public async Task Actions_run_concurrently_each_get_their_own_answer()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await ConnectAsync(ast);
        var shows = await Task.WhenAll(new[] { "tenant-acme", "from-trunk-external", "tenant-acme-ivr-main", "nosuch" }
            .Select(c => client.ShowDialPlanAsync(c)));
        Assert.That(shows.Select(s => s.Entries.Count), Is.EqualTo(new[] { 3, 3, 6, 0 }));
        Assert.That(ast.Actions.Where(a => a.Name == "ShowDialPlan").Select(a => a["ActionID"]).Distinct().Count(), Is.EqualTo(4));
    }
}
