using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Did.Dialplan;
using Did.Infrastructure.Data;
using Did.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

/// <summary>What the whole-service benchmarks run against: PostgreSQL (BENCH_PG) migrated and seeded with the data set, a
/// FakeAsterisk (real AMI over TCP on 127.0.0.1) in this process on an empty config folder, and the Release service as a
/// child process pointed at both, signed in as a platform admin. Disposing it stops the service and the fake.</summary>
internal sealed class BenchService : IAsyncDisposable
{
    private const string AdminEmail = "bench@did.local";
    private const string AdminPassword = "bench-password-123";

    private BenchService(string database, string node, FakeAsterisk fake, Process service, HttpClient http, long readyMs)
    {
        Database = database;
        Node = node;
        Switch = fake;
        Service = service;
        Http = http;
        ReadyMs = readyMs;
    }

    public string Database { get; }
    /// <summary>The switch's config folder: its live files.</summary>
    public string Node { get; }
    public FakeAsterisk Switch { get; }
    public Process Service { get; }
    /// <summary>Signed in as a platform admin.</summary>
    public HttpClient Http { get; }
    public long ReadyMs { get; }

    public static async Task<BenchService> StartAsync(Shape shape, string outDir, string name)
    {
        var pg = Environment.GetEnvironmentVariable("BENCH_PG") ?? throw new InvalidOperationException("BENCH_PG is not set");
        var root = Environment.GetEnvironmentVariable("BENCH_ROOT") ?? Directory.GetCurrentDirectory();
        var dll = Path.Combine(root, "src/bin/Release/net10.0/Did.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("Build the service in Release first", dll);

        var seed = Stopwatch.StartNew();
        await SchemaMigrator.MigrateAsync(pg, NullLogger.Instance);
        await using (var conn = new NpgsqlConnection(pg))
        {
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand(shape.SeedSql(BCrypt.Net.BCrypt.HashPassword("not-a-login", 4)), conn) { CommandTimeout = 600 })
                await cmd.ExecuteNonQueryAsync();
            await using (var cmd = new NpgsqlCommand("VACUUM ANALYZE", conn) { CommandTimeout = 600 })
                await cmd.ExecuteNonQueryAsync();
        }
        Console.Error.WriteLine($"seeded PostgreSQL with {shape} in {seed.Elapsed.TotalSeconds:N1} s");

        var node = Path.Combine(outDir, name + "-node");
        if (Directory.Exists(node)) Directory.Delete(node, recursive: true);
        Directory.CreateDirectory(node);
        var fake = await FakeAsterisk.StartAsync(node);
        // The fake is .NET code standing in for Asterisk, which is native and has nothing to compile: its parser is
        // compiled here, on a small dialplan, so the first apply's reload does not time the fake's JIT.
        FakeDialplanParser.Parse(Did.Tests.Dialplan.RenderedDialplan.Of(new Shape(2, 5, 100).Snapshot()).Extensions);

        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = pg,
            ["DID_JWT_KEY"] = "bench-signing-key-that-is-long-enough-0123456789",
            ["DID_ADMIN_EMAIL"] = AdminEmail,
            ["DID_ADMIN_PASSWORD"] = AdminPassword,
            ["ASPNETCORE_URLS"] = baseUrl,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Asterisk__ConfigDir"] = node,
            ["Asterisk__BackupDir"] = Path.Combine(node, "backup"),
            ["Asterisk__Ami__Host"] = fake.Host,
            ["Asterisk__Ami__Port"] = fake.Port.ToString(CultureInfo.InvariantCulture),
            ["Asterisk__Ami__Username"] = fake.Options.Username,
            ["Asterisk__Ami__Secret"] = fake.Options.Secret,
            ["Apply__WorkDir"] = Path.Combine(outDir, name + "-work"),
            // No scheduled drift check: the bench starts its own, and one of the schedule's would run into them.
            ["Apply__DriftCheckMinutes"] = "0",
        };
        var log = Path.Combine(outDir, name + "-service.log");
        var psi = new ProcessStartInfo("bash", ["-c", $"exec dotnet '{dll}' >'{log}' 2>&1"]) { UseShellExecute = false };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var startup = Stopwatch.StartNew();
        var service = Process.Start(psi)!;
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
        try
        {
            var ready = false;
            for (var i = 0; i < 1200 && !ready && !service.HasExited; i++)
            {
                try { ready = (await http.GetAsync("/health/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { }
                if (!ready) await Task.Delay(50);
            }
            if (!ready) throw new InvalidOperationException($"The service did not become ready; see {log}");
            var login = await http.PostAsJsonAsync("/api/v1/auth/token", new { email = AdminEmail, password = AdminPassword });
            login.EnsureSuccessStatusCode();
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return new BenchService(pg, node, fake, service, http, startup.ElapsedMilliseconds);
        }
        catch
        {
            await Stop(service);
            http.Dispose();
            await fake.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stop(Service);
        Service.Dispose();
        Http.Dispose();
        await Switch.DisposeAsync();
    }

    private static async Task Stop(Process service)
    {
        if (service.HasExited) return;
        service.Kill();
        await service.WaitForExitAsync();
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
