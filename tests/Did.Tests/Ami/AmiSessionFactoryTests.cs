using Did.Infrastructure.Ami;
using Did.Tests.Fakes;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Did.Tests.Ami;

public sealed class AmiSessionFactoryTests
{
    private string _configDir = "";

    [SetUp]
    public void SetUp() => _configDir = Directory.CreateTempSubdirectory("ami-factory-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_configDir, recursive: true);

    private static AmiSessionFactory Factory(AmiOptions options, ListLogger? log = null) => new(Options.Create(options), log);

    [Test]
    public async Task Open_returns_a_logged_in_client()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var client = await Factory(ast.ClientOptions()).OpenAsync();
        Assert.DoesNotThrowAsync(() => client.PingAsync(), "the session is logged in");
        Assert.That(ast.CountActions("Login"), Is.EqualTo(1));
    }

    [Test]
    public async Task Refused_connections_are_retried_then_fail()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        ast.Faults.RefuseConnections = true;
        var options = ast.ClientOptions();
        options.ConnectRetries = 2;
        Assert.ThrowsAsync<AmiConnectionException>(() => Factory(options).OpenAsync());
        Assert.That(ast.ConnectionsAccepted, Is.EqualTo(3));
    }

    [Test]
    public async Task Connection_that_recovers_during_retries_succeeds()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        ast.Faults.RefuseConnections = true;
        var options = ast.ClientOptions();
        options.ConnectRetries = 10;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(40);
        options.BreakerMinimumThroughput = 100;
        var opening = Factory(options).OpenAsync();
        while (ast.ConnectionsAccepted < 2) await Task.Delay(5);
        ast.Faults.RefuseConnections = false;
        await using var client = await opening;
        Assert.DoesNotThrowAsync(() => client.PingAsync(), "the session is logged in");
    }

    [Test]
    public async Task Wrong_secret_fails_fast_without_retry()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        var log = new ListLogger();
        var options = ast.ClientOptions(secret: "nope-not-it");
        options.ConnectRetries = 3;
        Assert.ThrowsAsync<AmiAuthenticationException>(() => Factory(options, log).OpenAsync());
        Assert.That(ast.ConnectionsAccepted, Is.EqualTo(1));
        Assert.That(log.Lines, Has.None.Contains("nope-not-it"));
    }

    [Test]
    public async Task Circuit_opens_after_repeated_failures_and_stops_connecting()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        ast.Faults.RefuseConnections = true;
        var options = ast.ClientOptions();
        options.ConnectRetries = 5;
        options.BreakerMinimumThroughput = 2;
        options.BreakerBreakDuration = TimeSpan.FromSeconds(30);
        var factory = Factory(options);
        Assert.ThrowsAsync<AmiCircuitOpenException>(() => factory.OpenAsync());
        Assert.That(ast.ConnectionsAccepted, Is.EqualTo(2));
        ast.Faults.RefuseConnections = false;
        Assert.ThrowsAsync<AmiCircuitOpenException>(() => factory.OpenAsync());
        Assert.That(ast.ConnectionsAccepted, Is.EqualTo(2), "no attempt while the circuit is open");
    }

    [Test]
    public async Task Circuit_lets_a_connection_through_after_the_break()
    {
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        ast.Faults.RefuseConnections = true;
        var options = ast.ClientOptions();
        options.ConnectRetries = 1;
        options.BreakerMinimumThroughput = 2;
        options.BreakerBreakDuration = TimeSpan.FromMilliseconds(500);
        var factory = Factory(options);
        Assert.ThrowsAsync<AmiConnectionException>(() => factory.OpenAsync());
        ast.Faults.RefuseConnections = false;
        await Task.Delay(700);
        await using var client = await factory.OpenAsync();
        Assert.DoesNotThrowAsync(() => client.PingAsync(), "the session is logged in");
    }

    [Test]
    public void Nothing_listening_is_a_connection_error()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new AmiOptions
        {
            Host = "127.0.0.1", Port = port, Username = "u", Secret = "s", ConnectRetries = 1,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5), RetryMaxDelay = TimeSpan.FromMilliseconds(10),
        };
        var e = Assert.ThrowsAsync<AmiConnectionException>(() => Factory(options).OpenAsync());
        Assert.That(e!.Message, Does.Contain($"127.0.0.1:{port}"));
    }
}
