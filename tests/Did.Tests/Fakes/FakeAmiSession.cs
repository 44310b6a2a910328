using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Did.Infrastructure.Ami;

namespace Did.Tests.Fakes;

/// <summary>One client connection of <see cref="FakeAsterisk"/>: reads actions one after the other (as Asterisk does
/// per session: a slow action delays the next) and answers each with one write.</summary>
internal sealed class FakeAmiSession(FakeAsterisk server, TcpClient tcp)
{
    private static readonly byte[] ActionIdPrefix = "ActionID: "u8.ToArray();
    private readonly NetworkStream _stream = tcp.GetStream();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _out = new(4096);
    private readonly string _sessionId = "0x" + Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64()))[..12];
    private readonly DateTimeOffset _connectedAt = DateTimeOffset.UtcNow;
    private volatile bool _authenticated;
    private string? _eventMask;
    private string? _challenge;
    private bool _closeAfterResponse;

    private FakeAsteriskFaults Faults => server.Faults;

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await SendAsync(Encoding.ASCII.GetBytes(server.Options.Banner + "\r\n"));
            var reader = new AmiFrameReader(_stream);
            while (!ct.IsCancellationRequested)
            {
                var message = await reader.ReadMessageAsync(ct);
                if (message is null) break;
                var name = message["Action"] ?? "";
                server.Record(new FakeAmiActionRecord(name, message.Fields));
                if (Faults.NeverRespondTo.Contains(name)) continue;
                _out.ResetWrittenCount();
                var after = await HandleAsync(name, message.ActionId, message);
                if (Faults.DropConnectionMidResponse.Contains(name))
                {
                    await SendAsync(_out.WrittenMemory[..Math.Max(1, _out.WrittenCount / 2)]);
                    break;
                }
                await SendAsync(_out.WrittenMemory);
                if (after is not null) await after();
                if (_closeAfterResponse) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AmiException)
        {
            // The client went away or spoke garbage: end this session like Asterisk would.
        }
        finally
        {
            Close();
        }
    }

    public void Close() => tcp.Dispose();

    public async Task SendEventAsync(string eventClass, byte[] packet)
    {
        if (!_authenticated || !Wants(eventClass)) return;
        try
        {
            await SendAsync(packet);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // A closed session misses the event, as in Asterisk.
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private bool Wants(string eventClass) => _eventMask switch
    {
        null => true,
        var m when m.Equals("off", StringComparison.OrdinalIgnoreCase) => false,
        var m when m.Equals("on", StringComparison.OrdinalIgnoreCase) || m.Equals("all", StringComparison.OrdinalIgnoreCase) => true,
        var m => m.Split(',', StringSplitOptions.TrimEntries).Any(c => c.Equals(eventClass, StringComparison.OrdinalIgnoreCase)),
    };

    /// <summary>Writes the answer into <see cref="_out"/>; returns work to do once it is sent (events that follow).</summary>
    private async Task<Func<Task>?> HandleAsync(string name, string? id, AmiMessage m)
    {
        var action = name.ToLowerInvariant();
        if (!_authenticated && action is not ("login" or "challenge" or "logoff"))
        {
            Write(FakeAmiPacket.Response("Error", id).Add("Message", "Permission denied"));
            return null;
        }
        switch (action)
        {
            case "challenge": return Challenge(id, m);
            case "login": return await LoginAsync(id, m);
            case "logoff":
                Write(FakeAmiPacket.Response("Goodbye", id).Add("Message", "Thanks for all the fish."));
                _closeAfterResponse = true;
                return null;
            case "ping":
                Write(FakeAmiPacket.Response("Success", id).Add("Ping", "Pong").Add("Timestamp", FakeAmiPacket.Timestamp(DateTimeOffset.UtcNow)));
                return null;
            case "command": return Command(id, m["Command"] ?? "");
            case "reload": return await ReloadAsync(id, m["Module"]);
            case "showdialplan": await ShowDialPlanAsync(id, m["Context"], m["Extension"]); return null;
            case "dialplanextensionadd": return await AddExtensionAsync(id, m);
            case "dialplanextensionremove": return await RemoveExtensionAsync(id, m);
            case "queuereload":
                server.ReloadQueues();
                Write(FakeAmiPacket.Response("Success", id).Add("Message", "Queue reloaded successfully"));
                return null;
            default: return UnknownAction(id, name);
        }
    }

    private Func<Task>? Challenge(string? id, AmiMessage m)
    {
        if (!string.Equals(m["AuthType"], "MD5", StringComparison.OrdinalIgnoreCase))
        {
            Write(FakeAmiPacket.Response("Error", id).Add("Message", "Must specify AuthType"));
            return null;
        }
        _challenge ??= Random.Shared.Next(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Write(FakeAmiPacket.Response("Success", id).Add("Challenge", _challenge));
        return null;
    }

    private async Task<Func<Task>?> LoginAsync(string? id, AmiMessage m)
    {
        var options = server.Options;
        var md5 = string.Equals(m["AuthType"], "MD5", StringComparison.OrdinalIgnoreCase);
        var ok = !Faults.RejectLogin && m["Username"] == options.Username && (md5
            ? _challenge is not null && m["Key"] == AmiClient.Md5Key(_challenge, options.Secret)
            : m["Secret"] == options.Secret);
        if (!ok)
        {
            await Task.Delay(options.AuthFailureDelay);
            Write(FakeAmiPacket.Response("Error", id).Add("Message", "Authentication failed"));
            _closeAfterResponse = true;
            return null;
        }
        _authenticated = true;
        _eventMask = m["Events"];
        Write(FakeAmiPacket.Response("Success", id).Add("Message", "Authentication accepted"));
        var now = DateTimeOffset.UtcNow;
        if (Wants("system"))
            Write(FakeAmiPacket.Event("FullyBooted", "system,all")
                .Add("Uptime", (long)(now - server.StartedAt).TotalSeconds)
                .Add("LastReload", (long)(now - server.LastReloadAt).TotalSeconds)
                .Add("Status", "Fully Booted"));
        if (Wants("security"))
            Write(Security("SuccessfulAuth", "Informational", now).Add("AccountID", options.Username)
                .Add("SessionID", _sessionId).Add("LocalAddress", LocalAddress).Add("RemoteAddress", RemoteAddress)
                .Add("UsingPassword", "0").Add("SessionTV", FakeAmiPacket.EventTv(_connectedAt)));
        return null;
    }

    private Func<Task>? UnknownAction(string? id, string name)
    {
        Write(FakeAmiPacket.Response("Error", id).Add("Message",
            $"Invalid/unknown command: {name}. Use Action: ListCommands to show available commands."));
        if (Wants("security"))
            Write(Security("RequestBadFormat", "Error", DateTimeOffset.UtcNow).Add("SessionID", _sessionId)
                .Add("LocalAddress", LocalAddress).Add("RemoteAddress", RemoteAddress).Add("RequestType", $"Action: {name}")
                .Add("SessionTV", FakeAmiPacket.EventTv(_connectedAt)).Add("AccountID", server.Options.Username));
        return null;
    }

    private FakeAmiPacket Security(string name, string severity, DateTimeOffset now) =>
        FakeAmiPacket.Event(name, "security,all").Add("Timestamp", FakeAmiPacket.Timestamp(now))
            .Add("SystemName", server.Options.SystemName).Add("EventTV", FakeAmiPacket.EventTv(now))
            .Add("Severity", severity).Add("Service", "AMI").Add("EventVersion", "1");

    private string LocalAddress => $"IPV4/TCP/127.0.0.1/{server.Port}";
    private string RemoteAddress => $"IPV4/TCP/127.0.0.1/{((IPEndPoint)tcp.Client.RemoteEndPoint!).Port}";

    private Func<Task>? Command(string? id, string command)
    {
        string[] output;
        var ok = true;
        switch (command.Trim().ToLowerInvariant())
        {
            case "dialplan reload":
                if (server.ReadDialplanSource() is { } text) server.InstallDialplan(text);
                output = ["Dialplan reloaded."];
                break;
            case "queue reload all":
                server.ReloadQueues();
                output = [""];
                break;
            default:
                ok = false;
                var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                output = [$"No such command '{command}' (type 'core show help {string.Join(' ', words.Take(2))}' for other possible commands)"];
                break;
        }
        if (server.Options.CommandStyle == FakeCommandStyle.Follows)
        {
            var p = new FakeAmiPacket().Add("Response", "Follows").Add("Privilege", "Command");
            if (id is not null) p.Add("ActionID", id);
            var text = output is [""] ? "" : string.Concat(output.Select(l => l + "\n"));
            Write(p.AddRaw(text + "--END COMMAND--\r\n"));
            return null;
        }
        var packet = FakeAmiPacket.Response(ok ? "Success" : "Error", id).Add("Message", "Command output follows");
        foreach (var line in output) packet.Add("Output", line);
        Write(packet);
        return null;
    }

    private async Task<Func<Task>?> ReloadAsync(string? id, string? module)
    {
        module = string.IsNullOrEmpty(module) ? "pbx_config" : module;
        if (module is "app_queue")
        {
            server.ReloadQueues();
            Write(FakeAmiPacket.Response("Success", id).Add("Message", "Module Reloaded"));
            return () => server.BroadcastAsync("system", ReloadEvent(module, 0));
        }
        if (module is not "pbx_config")
        {
            Write(FakeAmiPacket.Response("Error", id).Add("Message", "No such module"));
            return () => server.BroadcastAsync("system", ReloadEvent(module, 2));
        }
        await server.ReloadLock.WaitAsync();
        try
        {
            if (Faults.HoldReload is { } gate) await gate.PassAsync();
            if (Faults.ReloadDuration > TimeSpan.Zero) await Task.Delay(Faults.ReloadDuration);
            var source = Faults.FailReload ? null : server.ReadDialplanSource();
            if (source is not null) await FakeAsterisk.PayAsync(server.Options.Cost.PerLineReloaded, source.AsSpan().Count('\n'));
            if (source is null)
            {
                Write(FakeAmiPacket.Response("Error", id).Add("Message", "An unknown error occurred"));
                return Then(ReloadEvent(module, 3));
            }
            Write(FakeAmiPacket.Response("Success", id).Add("Message", "Module Reloaded"));
            if (Faults.QueueReloadFor is { } queuedFor)
            {
                var queued = Then(ReloadEvent(module, 1));
                return async () =>
                {
                    await queued();
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(queuedFor);
                        server.InstallDialplan(source);
                        await server.BroadcastAsync("system", ReloadEvent(module, 0));
                    });
                };
            }
            server.InstallDialplan(source);
            return Then(ReloadEvent(module, 0));
        }
        finally
        {
            server.ReloadLock.Release();
        }
    }

    /// <summary>The Reload event goes after the response, or before it when the fault says so.</summary>
    private Func<Task> Then(byte[] reloadEvent)
    {
        if (!Faults.ReloadEventBeforeResponse) return () => server.BroadcastAsync("system", reloadEvent);
        var response = _out.WrittenSpan.ToArray();
        _out.ResetWrittenCount();
        if (Wants("system")) _out.Write(reloadEvent);
        _out.Write(response);
        return () => server.BroadcastAsync("system", reloadEvent, except: this);
    }

    private byte[] ReloadEvent(string module, int status) =>
        FakeAmiPacket.Event("Reload", "system,all").Add("Timestamp", FakeAmiPacket.Timestamp(DateTimeOffset.UtcNow))
            .Add("SystemName", server.Options.SystemName).Add("Module", module).Add("Status", status).ToBytes();

    private async Task ShowDialPlanAsync(string? id, string? contextName, string? extension)
    {
        if (Faults.HoldShowDialPlan is { } gate) await gate.PassAsync();
        var priorities = ShowDialPlan(id, contextName, extension);
        var cost = server.Options.Cost.PerPriorityListed;
        if (cost <= TimeSpan.Zero || priorities == 0) return;
        await server.ListLock.WaitAsync();
        try
        {
            await FakeAsterisk.PayAsync(cost, priorities);
        }
        finally
        {
            server.ListLock.Release();
        }
    }

    private long _liveChangeTicks;

    /// <summary>Live changes are cheap one by one; their cost is paid once it adds up to a millisecond.</summary>
    private Task PayLiveChangeAsync()
    {
        _liveChangeTicks += server.Options.Cost.PerLiveChange.Ticks;
        if (_liveChangeTicks < TimeSpan.TicksPerMillisecond) return Task.CompletedTask;
        var due = TimeSpan.FromTicks(_liveChangeTicks);
        _liveChangeTicks = 0;
        return Task.Delay(due);
    }

    /// <summary>Whether a live-change fault stops this change: null to go on, else what to do.</summary>
    private bool? LiveChangeFault()
    {
        if (Faults.DenyLiveChanges) return true;
        if (Faults.DropConnectionAfterLiveChanges is { } drop && server.LiveChanges >= drop) return false;
        if (Faults.RefuseLiveChangesAfter is { } refuse && server.LiveChanges >= refuse) return true;
        return null;
    }

    private async Task<Func<Task>?> AddExtensionAsync(string? id, AmiMessage m)
    {
        await PayLiveChangeAsync();
        if (!int.TryParse(m["Priority"], out var priority) || string.IsNullOrEmpty(m["Context"]) || string.IsNullOrEmpty(m["Extension"])
            || string.IsNullOrEmpty(m["Application"]))
        {
            Write(FakeAmiPacket.Response("Error", id).Add("Message", "Context, Extension, Priority and Application must be given"));
            return null;
        }
        switch (LiveChangeFault())
        {
            case false: _closeAfterResponse = true; return null;
            case true: Write(FakeAmiPacket.Response("Error", id).Add("Message", Faults.DenyLiveChanges ? "Permission denied" : "Failed to add extension")); return null;
        }
        var data = m["ApplicationData"] ?? "";
        if (Faults.LiveChangeRewrites is { } rewrite) data = rewrite(data);
        var outcome = server.AddExtension(m["Context"]!, m["Extension"]!, priority, m["Application"]!, data,
            string.Equals(m["Replace"], "yes", StringComparison.OrdinalIgnoreCase) || string.Equals(m["Replace"], "true", StringComparison.OrdinalIgnoreCase));
        Write(FakeAmiPacket.Response(outcome.Success ? "Success" : "Error", id).Add("Message", outcome.Message));
        return null;
    }

    private async Task<Func<Task>?> RemoveExtensionAsync(string? id, AmiMessage m)
    {
        await PayLiveChangeAsync();
        int? priority = int.TryParse(m["Priority"], out var p) ? p : null;
        if (string.IsNullOrEmpty(m["Context"]) || string.IsNullOrEmpty(m["Extension"]))
        {
            Write(FakeAmiPacket.Response("Error", id).Add("Message", "Context and Extension must be given"));
            return null;
        }
        switch (LiveChangeFault())
        {
            case false: _closeAfterResponse = true; return null;
            case true: Write(FakeAmiPacket.Response("Error", id).Add("Message", Faults.DenyLiveChanges ? "Permission denied" : FakeDialplanChanges.RemoveFailed)); return null;
        }
        if (server.RemoveExtension(m["Context"]!, m["Extension"]!, priority) is not { } outcome)
        {
            _closeAfterResponse = true; // crashed: no answer, the connection is gone
            return null;
        }
        Write(FakeAmiPacket.Response(outcome.Success ? "Success" : "Error", id).Add("Message", outcome.Message));
        return null;
    }

    /// <summary>Writes the answer; returns how many priorities it listed.</summary>
    private long ShowDialPlan(string? id, string? contextName, string? extension)
    {
        var plan = server.Dialplan;
        var contexts = new List<FakeContext>();
        if (string.IsNullOrEmpty(contextName)) contexts.AddRange(plan.Contexts.Values.OrderBy(c => c.Name, StringComparer.Ordinal));
        else if (plan.Contexts.TryGetValue(contextName, out var found)) contexts.Add(found);
        else
        {
            Write(FakeAmiPacket.Response("Error", id).Add("Message", $"Did not find context {contextName}"));
            return 0;
        }
        var selected = new List<(FakeContext Context, int Index)>();
        foreach (var c in contexts)
            for (var i = 0; i < c.Extensions.Count; i++)
                if (extension is null || FakeExtensionPattern.Matches(c.Extensions[i].Number, extension)) selected.Add((c, i));
        if (extension is not null && selected.Count == 0)
        {
            Write(FakeAmiPacket.Response("Error", id).Add("Message", $"Did not find extension {extension}@{contextName}"));
            return 0;
        }
        Write(FakeAmiPacket.Response("Success", id).Add("EventList", "start").Add("Message", "DialPlan list will follow"));
        var idLine = id is null ? [] : Encoding.UTF8.GetBytes(id + "\r\n");
        int items = 0, priorities = 0;
        foreach (var (context, index) in selected)
        {
            WriteWithActionId(context.RenderedExtensions[index].Span, idLine);
            priorities += context.Extensions[index].Priorities.Count;
        }
        items += priorities;
        if (extension is null)
        {
            foreach (var c in contexts)
                foreach (var include in c.Includes)
                {
                    var p = new FakeAmiPacket().Add("Event", "ListDialplan");
                    if (id is not null) p.Add("ActionID", id);
                    Write(p.Add("Context", c.Name).Add("IncludeContext", include).Add("Registrar", "pbx_config"));
                    items++;
                }
        }
        var complete = new FakeAmiPacket().Add("Event", "ShowDialPlanComplete");
        if (id is not null) complete.Add("ActionID", id);
        Write(complete.Add("EventList", "Complete").Add("ListItems", items).Add("ListExtensions", selected.Count)
            .Add("ListPriorities", priorities).Add("ListContexts", selected.Select(s => s.Context).Distinct().Count()));
        return priorities;
    }

    /// <summary>Copies pre-rendered events, putting <c>ActionID: id</c> where the renderer left a 0x01 marker.</summary>
    private void WriteWithActionId(ReadOnlySpan<byte> rendered, byte[] idLine)
    {
        while (true)
        {
            var marker = rendered.IndexOf((byte)1);
            if (marker < 0)
            {
                _out.Write(rendered);
                return;
            }
            _out.Write(rendered[..marker]);
            if (idLine.Length > 0)
            {
                _out.Write(ActionIdPrefix);
                _out.Write(idLine);
            }
            rendered = rendered[(marker + 1)..];
        }
    }

    private void Write(FakeAmiPacket packet) => packet.WriteTo(_out);
}
