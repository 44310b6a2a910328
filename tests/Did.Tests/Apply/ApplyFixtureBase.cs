using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Fakes;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>The service wired to one or more fake Asterisk nodes (real AMI over TCP on 127.0.0.1), each with its own
/// config and backup folders, and a tenant with a user, an IVR, a queue and routed numbers.</summary>
public abstract class ApplyFixtureBase : ApiFixture
{
    protected readonly List<FakeAsterisk> Nodes = [];
    protected readonly List<string> ConfigDirs = [];
    private string _root = null!;

    /// <summary>The configured Apply:WorkDir (this process makes its private folder inside).</summary>
    protected string WorkDir => Path.Combine(_root, "work");

    protected virtual int NodeCount => 1;
    protected virtual int LockWaitSeconds => 2;
    /// <summary>Apply:LiveDeltaMaxChanges; null keeps the service's default (live deltas on).</summary>
    protected virtual int? LiveDeltaMaxChanges => null;

    /// <summary>Off unless a fixture tests it: most tests apply as a tenant admin more than once in a row.</summary>
    protected virtual int TenantMinIntervalSeconds => 0;

    protected TestTenant Acme { get; private set; } = null!;
    protected TestUser AcmeAdmin { get; private set; } = null!;
    protected TestUser Alice { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var s = new Dictionary<string, string?>
            {
                ["Apply:LockWaitSeconds"] = LockWaitSeconds.ToString(),
                ["Apply:WorkDir"] = WorkDir,
                ["Apply:BackupsToKeep"] = "3",
                ["Apply:TenantMinIntervalSeconds"] = TenantMinIntervalSeconds.ToString(),
            };
            if (LiveDeltaMaxChanges is { } max) s["Apply:LiveDeltaMaxChanges"] = max.ToString();
            for (var i = 0; i < Nodes.Count; i++)
            {
                var p = NodeCount == 1 ? "Asterisk" : $"Asterisk:Nodes:{i}";
                s[$"{p}:ConfigDir"] = ConfigDirs[i];
                s[$"{p}:BackupDir"] = Path.Combine(ConfigDirs[i], "backup");
                s[$"{p}:Ami:Host"] = "127.0.0.1";
                s[$"{p}:Ami:Port"] = Nodes[i].Port.ToString();
                s[$"{p}:Ami:Username"] = Nodes[i].Options.Username;
                s[$"{p}:Ami:Secret"] = Nodes[i].Options.Secret;
                s[$"{p}:Ami:ConnectTimeout"] = "00:00:02";
                s[$"{p}:Ami:ResponseTimeout"] = "00:00:02";
                s[$"{p}:Ami:ReloadTimeout"] = "00:00:05";
                s[$"{p}:Ami:ConnectRetries"] = "1";
                s[$"{p}:Ami:RetryBaseDelay"] = "00:00:00.010";
                s[$"{p}:Ami:RetryMaxDelay"] = "00:00:00.050";
                s[$"{p}:Ami:BreakerMinimumThroughput"] = "1000";
            }
            return s;
        }
    }

    [OneTimeSetUp]
    public async Task StartNodesAndData()
    {
        Acme = await CreateTenantAsync("acme");
        AcmeAdmin = await CreateUserAsync("TENANT_ADMIN", Acme.Id);
        Alice = await CreateUserAsync("USER", Acme.Id, "1001");
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }), HttpStatusCode.Created);
    }

    protected override async Task BeforeServiceStartsAsync()
    {
        _root = Directory.CreateTempSubdirectory("did-apply-test-").FullName;
        for (var i = 0; i < NodeCount; i++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_root, $"node{i}")).FullName;
            ConfigDirs.Add(dir);
            Nodes.Add(await FakeAsterisk.StartAsync(dir));
        }
    }

    [OneTimeTearDown]
    public async Task StopNodes()
    {
        foreach (var n in Nodes) await n.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [SetUp]
    public void ClearFaults()
    {
        foreach (var f in Nodes.Select(n => n.Faults))
        {
            f.RefuseConnections = false;
            f.RejectLogin = false;
            f.FailReload = false;
            f.QueueReloadFor = null;
            f.HoldReload?.Open();
            f.HoldReload = null;
            f.ReloadDuration = TimeSpan.Zero;
            f.ReloadEventBeforeResponse = false;
            f.ReloadInstallsNothing = false;
            f.ReloadInstallsText = null;
            f.ReloadRewrites = null;
            f.ReloadDropsContexts.Clear();
            f.NeverRespondTo.Clear();
            f.DropConnectionMidResponse.Clear();
            f.DropConnectionAfterLiveChanges = null;
            f.RefuseLiveChangesAfter = null;
            f.LiveChangeRewrites = null;
            f.DenyLiveChanges = false;
            f.HoldShowDialPlan?.Open();
            f.HoldShowDialPlan = null;
        }
    }

    /// <summary>No test may make the service send the removal sequence that crashes a real Asterisk.</summary>
    [TearDown]
    public void NoNodeCrashed()
    {
        foreach (var n in Nodes) Assert.That(n.CrashedBecause, Is.Null, "the service crashed a switch");
    }

    protected Task<HttpResponseMessage> PostApply(HttpClient? by = null, bool dryRun = false) =>
        (by ?? Admin).PostAsync(dryRun ? "/api/v1/apply/preview" : "/api/v1/apply", null);

    protected static async Task<JsonElement> Job(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return body.TryGetProperty("job", out var job) ? job : body;
    }

    protected static string Status(JsonElement job) => job.GetProperty("status").GetString()!;

    /// <summary>A job's steps by name: status and output.</summary>
    protected static Dictionary<string, (string Status, string Output)> JobSteps(JsonElement job) =>
        job.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!,
            s => (s.GetProperty("status").GetString()!, s.GetProperty("output").GetString() ?? ""));

    /// <summary>Changes the database so the next apply has something to deploy.</summary>
    protected async Task<TestNumber> RouteAnotherNumberAsync()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }), HttpStatusCode.Created);
        return number;
    }

    protected async Task<JsonElement> ApplyOkAsync()
    {
        var response = await PostApply();
        var job = await Job(response);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), job.ToString());
        return job;
    }

    /// <summary>Waits for a condition the service reaches on its own (a job row's status, a waiting session), checking
    /// it every 20 ms, and fails the test after 30 s.</summary>
    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Waited 30 s for: {what}");
            await Task.Delay(20);
        }
    }

    protected Dictionary<string, byte[]> LiveFiles(int node = 0) =>
        new[] { "extensions_custom.conf", "queues_custom.conf" }
            .Where(f => File.Exists(Path.Combine(ConfigDirs[node], f)))
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(ConfigDirs[node], f)));
}
