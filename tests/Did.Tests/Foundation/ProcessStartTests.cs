using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Did.Infrastructure.Hosting;
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

    [Test]
    public async Task A_missing_connection_string_stops_the_start_with_one_line_naming_it()
    {
        var exit = await RunUntilExitAsync(new() { ["ConnectionStrings__Postgres"] = null });

        AssertOneLine(exit, StartupFailure.ExitConfiguration, "ConnectionStrings__Postgres is not set");
    }

    [Test]
    public async Task Migrate_without_a_connection_string_stops_with_one_line_naming_it()
    {
        var exit = await RunUntilExitAsync(new() { ["ConnectionStrings__Postgres"] = null }, "migrate");

        AssertOneLine(exit, StartupFailure.ExitConfiguration, "ConnectionStrings__Postgres is not set");
    }

    [Test]
    public async Task A_missing_jwt_key_stops_the_start_with_one_line_naming_it()
    {
        var exit = await RunUntilExitAsync(new() { ["DID_JWT_KEY"] = null });

        AssertOneLine(exit, StartupFailure.ExitConfiguration, "DID_JWT_KEY is not set");
    }

    [Test]
    public async Task An_unreachable_database_stops_the_start_with_one_line_naming_where_and_not_the_password()
    {
        var port = FreePort(); // nothing listens there
        var exit = await RunUntilExitAsync(new()
        {
            ["ConnectionStrings__Postgres"] = $"Host=127.0.0.1;Port={port};Username=did;Password=password-of-the-test;Database=did",
        });

        AssertOneLine(exit, StartupFailure.ExitUnavailable, $"PostgreSQL at 127.0.0.1:{port} is unreachable");
        Assert.That(exit.Output + exit.Error, Does.Not.Contain("password-of-the-test"));
    }

    [Test]
    public async Task A_port_in_use_stops_the_start_with_one_line_naming_the_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var database = await TestDatabase.CreateAsync();
        try
        {
            var exit = await RunUntilExitAsync(new() { ["ConnectionStrings__Postgres"] = database, ["ASPNETCORE_URLS"] = url });

            AssertOneLine(exit, StartupFailure.ExitUnavailable, $"Failed to bind to address {url}: address already in use");
            Assert.That(exit.Error, Does.Contain("ASPNETCORE_URLS"));
            Assert.That(exit.Output, Does.Not.Contain("fail:").And.Not.Contain("Hosting failed"), "the host logged the failure too");
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    /// <summary>One JSON object per line with <c>Logging__Console__FormatterName=json</c>, and for a request exactly one
    /// line: ASP.NET Core's own per-request lines are below the default level.</summary>
    [Test]
    public async Task A_request_is_logged_as_one_json_line_with_method_route_status_duration_and_request_id()
    {
        await using var service = await ServiceProcess.StartAsync(new() { ["Logging__Console__FormatterName"] = "json" });

        var response = await service.Http.GetAsync($"/api/v1/tenants/{Guid.NewGuid()}");
        var requestId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("request_id").GetString();
        var line = await service.LineAsync(l => l.Contains($"\"RequestId\":\"{requestId}\"", StringComparison.Ordinal));

        var entry = JsonDocument.Parse(line).RootElement;
        Assert.That(entry.GetProperty("Category").GetString(), Is.EqualTo("Did.Requests"));
        Assert.That(entry.GetProperty("LogLevel").GetString(), Is.EqualTo("Information"));
        var state = entry.GetProperty("State");
        Assert.That(state.GetProperty("Method").GetString(), Is.EqualTo("GET"));
        Assert.That(state.GetProperty("Route").GetString(), Is.EqualTo("/api/v1/tenants/{id:guid}"));
        Assert.That(state.GetProperty("Status").GetInt32(), Is.EqualTo(401));
        Assert.That(state.GetProperty("DurationMs").GetDouble(), Is.GreaterThanOrEqualTo(0));
        var lines = service.Lines().Where(l => l.Length > 0).ToList();
        Assert.That(lines.Where(l => l.Contains(requestId!, StringComparison.Ordinal)), Has.Exactly(1).Items);
        Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("Category").GetString()),
            Has.None.StartsWith("Microsoft.AspNetCore"), "framework chatter at Information");
    }

    /// <summary>The service as it runs, not as the test host does: in .NET's invariant globalization mode string.Normalize
    /// leaves non-ASCII text as it is, so an email typed decomposed (e + U+0301) and a password typed in fullwidth letters
    /// never matched their usual spelling there, though they did in the tests' own process. A host in another locale
    /// must not change the service's language either (FluentValidation picks its messages by the current UI culture).</summary>
    [Test]
    public async Task Unicode_is_normalised_and_answers_stay_in_english_whatever_the_hosts_locale()
    {
        await using var service = await ServiceProcess.StartAsync(new()
        {
            ["DID_ADMIN_EMAIL"] = "jose\u0301@did.local",
            ["DID_ADMIN_PASSWORD"] = "\uFF50\uFF52\uFF4F\uFF43\uFF45\uFF53\uFF53-admin-password",
            ["LANG"] = "de_DE.UTF-8",
            ["LC_ALL"] = "de_DE.UTF-8",
        });

        var signIn = await service.Http.PostAsync("/api/v1/auth/token", new StringContent(
            "{\"email\":\"jos\u00e9@did.local\",\"password\":\"process-admin-password\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the composed email and the ASCII password are the ones set");
        var token = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tenants")
        {
            Content = new StringContent("{\"name\":\"\",\"slug\":\"locale\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        var refused = JsonDocument.Parse(await (await service.Http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        Assert.That(refused.GetProperty("errors").GetProperty("name")[0].GetString(), Does.Contain("must not be empty"));
    }

    private sealed record Exit(int Code, string Output, string Error);

    /// <summary>Runs the service with the usual settings changed by <paramref name="environment"/> (null removes one)
    /// until it exits by itself.</summary>
    private static async Task<Exit> RunUntilExitAsync(Dictionary<string, string?> environment, params string[] args)
    {
        var configDir = Directory.CreateTempSubdirectory("did-process-");
        try
        {
            var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, .. args])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (k, v) in BaseEnvironment(configDir.FullName, $"http://127.0.0.1:{FreePort()}")) start.Environment[k] = v;
            start.Environment["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=did;Database=did";
            foreach (var (k, v) in environment)
                if (v is null) start.Environment.Remove(k); else start.Environment[k] = v;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the service did not stop by itself; its output:\n{await output}\n{await error}");
            }
            return new Exit(process.ExitCode, await output, await error);
        }
        finally
        {
            configDir.Delete(recursive: true);
        }
    }

    private static void AssertOneLine(Exit exit, int code, string expected)
    {
        Assert.That(exit.Code, Is.EqualTo(code), exit.Output + exit.Error);
        Assert.That(exit.Error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), exit.Error);
        Assert.That(exit.Error, Does.StartWith("Did cannot start: ").And.Contain(expected));
        Assert.That(exit.Output + exit.Error, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), "a stack trace");
    }

    private static Dictionary<string, string> BaseEnvironment(string configDir, string url) => new()
    {
        ["DID_JWT_KEY"] = "process-test-signing-key-that-is-long-enough-0123",
        ["DID_ADMIN_EMAIL"] = "process-admin@did.local",
        ["DID_ADMIN_PASSWORD"] = "process-admin-password",
        ["Auth__BcryptWorkFactor"] = "4",
        ["Asterisk__ConfigDir"] = configDir,
        ["Asterisk__BackupDir"] = Path.Combine(configDir, "backup"),
        ["Apply__WarmUp"] = "false",
        ["ASPNETCORE_URLS"] = url,
    };

    private sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly List<string> _lines = [];
        private (Func<string, bool> Match, TaskCompletionSource<string> Found)? _awaited;
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
            };
            foreach (var (k, v) in BaseEnvironment(service._configDir.FullName, $"http://127.0.0.1:{port}")) start.Environment[k] = v;
            start.Environment["ConnectionStrings__Postgres"] = service._connectionString;
            foreach (var (k, v) in environment) start.Environment[k] = v;
            service.Process = Process.Start(start)!;
            service.Process.OutputDataReceived += (_, e) => service.Add(e.Data);
            service.Process.ErrorDataReceived += (_, e) => service.Add(e.Data);
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
                var log = string.Join('\n', service.Lines());
                await service.DisposeAsync();
                Assert.Fail($"the service did not become ready; its output:\n{log}");
            }
            return service;
        }

        /// <summary>What the process wrote so far, stdout and stderr, line by line.</summary>
        public IReadOnlyList<string> Lines()
        {
            lock (_lines) return [.. _lines];
        }

        /// <summary>The first line, written already or still to come, that matches (the console logger writes from a
        /// thread of its own, after the response).</summary>
        public async Task<string> LineAsync(Func<string, bool> match)
        {
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lines)
            {
                if (_lines.FirstOrDefault(match) is { } line) return line;
                _awaited = (match, found);
            }
            try
            {
                return await found.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"no such line; the output:\n{string.Join('\n', Lines())}");
                throw;
            }
        }

        private void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Add(line);
                if (_awaited is { } awaited && awaited.Match(line)) awaited.Found.TrySetResult(line);
            }
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
