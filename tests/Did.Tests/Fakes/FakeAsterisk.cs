using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Did.Infrastructure.Ami;

namespace Did.Tests.Fakes;

/// <summary>An AMI server on 127.0.0.1 (ephemeral port) that answers like the recorded Asterisk, byte for byte where
/// the recordings are deterministic, for the actions the Apply feature uses: Login (plain, MD5), Ping, Logoff,
/// Command, Reload (pbx_config from <see cref="ConfigDir"/>), ShowDialPlan, DialplanExtensionAdd/Remove (live changes,
/// undone by the next reload), QueueReload (queues from the same folder). It records every action, has scripted
/// <see cref="Faults"/>, costs what a real switch costs when <see cref="FakeAsteriskOptions.Cost"/> says so, and
/// crashes, loudly, on the removal sequence that crashes a real Asterisk (<see cref="CrashedBecause"/>).
/// <code>await using var ast = await FakeAsterisk.StartAsync(configDir); ast.Faults.FailReload = true;</code></summary>
public sealed class FakeAsterisk : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<FakeAmiSession, Task> _sessions = new();
    private readonly ConcurrentQueue<FakeAmiActionRecord> _actions = new();
    private readonly Lock _installLock = new();
    private FakeDialplan _dialplan = FakeDialplan.Empty;
    private IReadOnlyDictionary<string, FakeQueue> _queues = new Dictionary<string, FakeQueue>();
    private Task _acceptLoop = Task.CompletedTask;
    private int _connections;
    private int _queueReloads;
    private int _dialplanReloads;
    private long _lastReloadTicks;
    private int _liveChanges;
    private string? _crashedBecause;
    // Plain extensions removed by name while they had caller-ID variants: removing one of those variants now crashes.
    private readonly HashSet<(string Context, string Number)> _orphanedVariants = [];

    private FakeAsterisk(string configDir, FakeAsteriskOptions options)
    {
        ConfigDir = configDir;
        Options = options;
        StartedAt = DateTimeOffset.UtcNow;
        _lastReloadTicks = StartedAt.UtcTicks;
    }

    /// <summary>Starts listening; installs the dialplan file from <paramref name="configDir"/> if it exists.</summary>
    public static Task<FakeAsterisk> StartAsync(string configDir, FakeAsteriskOptions? options = null)
    {
        var ast = new FakeAsterisk(configDir, options ?? new FakeAsteriskOptions());
        if (File.Exists(ast.DialplanPath)) ast.InstallDialplan(File.ReadAllText(ast.DialplanPath), countAsReload: false);
        if (File.Exists(ast.QueuesPath)) ast._queues = FakeQueuesParser.Parse(File.ReadAllText(ast.QueuesPath));
        ast._listener.Start();
        ast._acceptLoop = Task.Run(ast.AcceptLoopAsync);
        return Task.FromResult(ast);
    }

    public string Host => "127.0.0.1";
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string ConfigDir { get; }
    public string DialplanPath => Path.Combine(ConfigDir, Options.DialplanFile);
    public string QueuesPath => Path.Combine(ConfigDir, Options.QueuesFile);
    public FakeAsteriskOptions Options { get; }
    public FakeAsteriskFaults Faults { get; } = new();
    public DateTimeOffset StartedAt { get; }
    internal DateTimeOffset LastReloadAt => new(Interlocked.Read(ref _lastReloadTicks), TimeSpan.Zero);
    internal SemaphoreSlim ReloadLock { get; } = new(1, 1);

    /// <summary>Held while the cost of a listing is paid: a switch lists one dialplan at a time.</summary>
    internal SemaphoreSlim ListLock { get; } = new(1, 1);

    /// <summary>Why the fake crashed (every connection dropped, none accepted since), or null. A real Asterisk segfaults
    /// when a caller-ID variant is removed after its plain extension was removed by name; a test that gets here has
    /// found a service that must never send that sequence.</summary>
    public string? CrashedBecause => Volatile.Read(ref _crashedBecause);

    /// <summary>Live changes made (DialplanExtensionAdd and DialplanExtensionRemove answered Success).</summary>
    public int LiveChanges => Volatile.Read(ref _liveChanges);

    /// <summary>The dialplan Asterisk would have installed now.</summary>
    public FakeDialplan Dialplan => Volatile.Read(ref _dialplan);

    /// <summary>The queues app_queue would have installed now, by name (case-insensitive, as app_queue finds them).</summary>
    public IReadOnlyDictionary<string, FakeQueue> Queues => Volatile.Read(ref _queues);

    /// <summary>Every action received, in arrival order, on every connection.</summary>
    public IReadOnlyList<FakeAmiActionRecord> Actions => [.. _actions];

    public int CountActions(string name) => _actions.Count(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>TCP connections accepted (refused ones included).</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _connections);

    /// <summary>Queue reloads done (QueueReload, <c>queue reload all</c>, Reload of app_queue).</summary>
    public int QueueReloads => Volatile.Read(ref _queueReloads);

    /// <summary>Dialplans installed by a reload (not counting the one loaded at start).</summary>
    public int DialplanReloads => Volatile.Read(ref _dialplanReloads);

    /// <summary>Client options for this server (right secret unless told otherwise); short timeouts for tests.</summary>
    public AmiOptions ClientOptions(string authType = "md5", string? secret = null) => new()
    {
        Host = Host,
        Port = Port,
        Username = Options.Username,
        Secret = secret ?? Options.Secret,
        AuthType = authType,
        EventMask = "",
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ResponseTimeout = TimeSpan.FromSeconds(5),
        ReloadTimeout = TimeSpan.FromSeconds(10),
        ConnectRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    internal void Record(FakeAmiActionRecord action) => _actions.Enqueue(action);

    /// <summary>A queue reload: counts it and installs the queues file as it is now (no file: no queues).</summary>
    internal void ReloadQueues()
    {
        Interlocked.Increment(ref _queueReloads);
        Volatile.Write(ref _queues, File.Exists(QueuesPath) ? FakeQueuesParser.Parse(File.ReadAllText(QueuesPath)) : new Dictionary<string, FakeQueue>());
    }

    /// <summary>Installs <paramref name="text"/> as pbx_config would, applying the install faults.</summary>
    internal void InstallDialplan(string text, bool countAsReload = true)
    {
        var plan = FakeDialplanParser.Parse(text);
        lock (_installLock)
        {
            if (countAsReload)
            {
                Interlocked.Exchange(ref _lastReloadTicks, DateTimeOffset.UtcNow.UtcTicks);
                if (Faults.ReloadInstallsNothing) return;
                if (Faults.ReloadDropsContexts.Count > 0) plan = plan.Without(Faults.ReloadDropsContexts);
                Interlocked.Increment(ref _dialplanReloads);
            }
            _orphanedVariants.Clear();
            Volatile.Write(ref _dialplan, plan);
        }
    }

    /// <summary>An empty switch again (a benchmark's "onto an empty switch" round): no dialplan installed, not counted as a
    /// reload. The files in <see cref="ConfigDir"/> are the caller's to remove.</summary>
    public void ClearDialplan()
    {
        lock (_installLock)
        {
            _orphanedVariants.Clear();
            Volatile.Write(ref _dialplan, FakeDialplan.Empty);
        }
    }

    /// <summary>DialplanExtensionAdd on the running dialplan; returns Asterisk's answer.</summary>
    internal FakeDialplanChanges.Outcome AddExtension(string context, string extension, int priority, string application, string data, bool replace)
    {
        lock (_installLock)
        {
            var outcome = FakeDialplanChanges.Add(_dialplan, context, extension, priority, application, data, replace);
            Commit(outcome);
            return outcome;
        }
    }

    /// <summary>DialplanExtensionRemove on the running dialplan; returns Asterisk's answer, or null when this removal
    /// crashed the switch.</summary>
    internal FakeDialplanChanges.Outcome? RemoveExtension(string context, string extension, int? priority)
    {
        lock (_installLock)
        {
            var removed = new FakeExtension(extension);
            if (removed.CallerId is not null && _orphanedVariants.Contains((context, removed.Number)))
            {
                Crash($"DialplanExtensionRemove of {extension}{(priority is { } p ? $" priority {p}" : "")} in {context} after its plain " +
                      $"extension {removed.Number} was removed by name while this variant existed: a real Asterisk segfaults here " +
                      "(shared/asterisk README, \"A crash to design around\").");
                return null;
            }
            var outcome = FakeDialplanChanges.Remove(_dialplan, context, extension, priority, out var orphaned);
            if (orphaned) _orphanedVariants.Add((context, removed.Number));
            Commit(outcome);
            return outcome;
        }
    }

    private void Commit(FakeDialplanChanges.Outcome outcome)
    {
        if (!outcome.Success) return;
        Interlocked.Increment(ref _liveChanges);
        Volatile.Write(ref _dialplan, outcome.Plan);
    }

    /// <summary>Drops every connection and accepts none from now on.</summary>
    private void Crash(string why)
    {
        Volatile.Write(ref _crashedBecause, why);
        foreach (var session in _sessions.Keys) session.Close();
    }

    /// <summary>Waits what a real switch would spend on <paramref name="units"/> of work costing <paramref name="each"/>.</summary>
    internal static Task PayAsync(TimeSpan each, long units) =>
        each <= TimeSpan.Zero || units <= 0 ? Task.CompletedTask : Task.Delay(each * units);

    /// <summary>What a reload reads: the fault's text, else the file (rewritten if a fault says so); null when the file
    /// is missing.</summary>
    internal string? ReadDialplanSource()
    {
        var text = Faults.ReloadInstallsText ?? (File.Exists(DialplanPath) ? File.ReadAllText(DialplanPath) : null);
        return text is not null && Faults.ReloadRewrites is { } rewrite ? rewrite(text) : text;
    }

    /// <summary>Sends an event to every logged-in session whose event mask takes <paramref name="eventClass"/>.</summary>
    internal async Task BroadcastAsync(string eventClass, byte[] packet, FakeAmiSession? except = null)
    {
        foreach (var session in _sessions.Keys)
            if (session != except) await session.SendEventAsync(eventClass, packet);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            if (Faults.RefuseConnections || CrashedBecause is not null)
            {
                tcp.Client.LingerState = new LingerOption(true, 0);
                tcp.Dispose();
                continue;
            }
            var session = new FakeAmiSession(this, tcp);
            // The session is listed before it says its banner: a client that logged in and reloaded before the listing
            // (this thread preempted on a busy machine) missed its own Reload event, which goes to listed sessions.
            var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _sessions[session] = Task.Run(async () =>
            {
                await listed.Task;
                await session.RunAsync(_stop.Token);
                _sessions.TryRemove(session, out _);
            });
            listed.SetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        foreach (var (session, task) in _sessions)
        {
            session.Close();
            await task;
        }
        _stop.Dispose();
    }
}
