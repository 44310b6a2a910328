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
        var connectionString = await TestDatabase.CreateAsync();
        var configDir = Directory.CreateTempSubdirectory("did-process-");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__Postgres"] = connectionString,
                ["DID_JWT_KEY"] = "process-test-signing-key-that-is-long-enough-0123",
                ["DID_ADMIN_EMAIL"] = "process-admin@did.local",
                ["DID_ADMIN_PASSWORD"] = "process-admin-password",
                ["Auth__BcryptWorkFactor"] = "4",
                ["Asterisk__ConfigDir"] = configDir.FullName,
                ["Asterisk__BackupDir"] = Path.Combine(configDir.FullName, "backup"),
                ["Apply__WarmUp"] = "false",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
            },
        };
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            HttpStatusCode? ready = null;
            while (ready != HttpStatusCode.OK && DateTime.UtcNow < deadline && !process.HasExited)
            {
                try { ready = (await http.GetAsync("/health/ready")).StatusCode; }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(250); }
            }
            string log;
            lock (output) log = output.ToString();
            Assert.That(ready, Is.EqualTo(HttpStatusCode.OK), $"the service did not become ready; its output:\n{log}");
            // A sign-in: a request that reads the database, whose replies arrive on the socket event thread.
            HttpStatusCode signIn;
            try
            {
                signIn = (await http.PostAsync("/api/v1/auth/token", new StringContent(
                    """{"email":"process-admin@did.local","password":"process-admin-password"}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode;
            }
            catch (TaskCanceledException)
            {
                Assert.Fail("the service stopped answering: a sign-in got no response within 5 s");
                return;
            }
            Assert.That(signIn, Is.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            configDir.Delete(recursive: true);
            await TestDatabase.DropAsync(connectionString);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
