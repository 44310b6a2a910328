using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>The service as its own process (dotnet Did.dll), as scripts/run.sh and the Dockerfile start it.</summary>
public sealed class ProcessStartTests
{
    /// <summary>With inline socket completions, the code after Main's last await before serving runs on the socket
    /// event thread. A blocking <c>app.Run()</c> there held that thread forever and the service never answered; with
    /// the default completions it held a thread-pool thread instead, for the life of the process.</summary>
    [Test]
    public async Task The_service_answers_when_socket_completions_run_on_the_event_thread()
    {
        await using var service = await ServiceProcess.StartAsync(new() { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" });
        // A sign-in: a request that reads the database, whose replies arrive on the socket event thread.
        HttpStatusCode signIn;
        try
        {
            signIn = (await service.Http.PostAsync("/api/v1/auth/token", new StringContent(
                """{"email":"process-admin@did.local","password":"process-admin-password"}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode;
        }
        catch (TaskCanceledException)
        {
            Assert.Fail("the service stopped answering: a sign-in got no response within 5 s");
            return;
        }
        Assert.That(signIn, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>The host would watch its content root (here, the current folder) recursively for configuration files
    /// that the service does not have; run from a folder holding a PostgreSQL data folder, as run.sh and the benches
    /// are, it handled an event for every write PostgreSQL made.</summary>
    [Test]
    public async Task The_service_watches_no_files()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("reads /proc");
        await using var service = await ServiceProcess.StartAsync([]);
        var watchers = new DirectoryInfo($"/proc/{service.Process.Id}/fd").GetFileSystemInfos()
            .Select(fd => fd.LinkTarget).Where(target => target?.Contains("inotify", StringComparison.Ordinal) == true).ToList();
        Assert.That(watchers, Is.Empty);
    }

    private sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly System.Text.StringBuilder _output = new();
        private string _connectionString = "";
        private DirectoryInfo _configDir = null!;

        public Process Process { get; private set; } = null!;
        public HttpClient Http { get; private set; } = null!;

        /// <summary>Starts the service on its own database and waits until it is ready.</summary>
        public static async Task<ServiceProcess> StartAsync(Dictionary<string, string> environment)
        {
            var service = new ServiceProcess { _connectionString = await TestDatabase.CreateAsync(), _configDir = Directory.CreateTempSubdirectory("did-process-") };
            var port = FreePort();
            var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment =
                {
                    ["ConnectionStrings__Postgres"] = service._connectionString,
                    ["DID_JWT_KEY"] = "process-test-signing-key-that-is-long-enough-0123",
                    ["DID_ADMIN_EMAIL"] = "process-admin@did.local",
                    ["DID_ADMIN_PASSWORD"] = "process-admin-password",
                    ["Auth__BcryptWorkFactor"] = "4",
                    ["Asterisk__ConfigDir"] = service._configDir.FullName,
                    ["Asterisk__BackupDir"] = Path.Combine(service._configDir.FullName, "backup"),
                    ["Apply__WarmUp"] = "false",
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                },
            };
            foreach (var (k, v) in environment) start.Environment[k] = v;
            service.Process = Process.Start(start)!;
            service.Process.OutputDataReceived += (_, e) => { lock (service._output) service._output.AppendLine(e.Data); };
            service.Process.ErrorDataReceived += (_, e) => { lock (service._output) service._output.AppendLine(e.Data); };
            service.Process.BeginOutputReadLine();
            service.Process.BeginErrorReadLine();
            service.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

            var deadline = DateTime.UtcNow.AddSeconds(90);
            HttpStatusCode? ready = null;
            while (ready != HttpStatusCode.OK && DateTime.UtcNow < deadline && !service.Process.HasExited)
            {
                try { ready = (await service.Http.GetAsync("/health/ready")).StatusCode; }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(250); }
            }
            if (ready != HttpStatusCode.OK)
            {
                string log;
                lock (service._output) log = service._output.ToString();
                await service.DisposeAsync();
                Assert.Fail($"the service did not become ready; its output:\n{log}");
            }
            return service;
        }

        public async ValueTask DisposeAsync()
        {
            Http?.Dispose();
            if (Process is { HasExited: false }) Process.Kill(entireProcessTree: true);
            if (Process is not null) await Process.WaitForExitAsync();
            Process?.Dispose();
            _configDir.Delete(recursive: true);
            await TestDatabase.DropAsync(_connectionString);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
