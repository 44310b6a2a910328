using System.Net;
using System.Net.Http.Headers;
using Did.Infrastructure.Hosting;
using Did.Infrastructure.Observability;
using Did.Tests.Support;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Did.Tests.Observability;

/// <summary>With <c>Metrics:Key</c> set, a scrape must bring it.</summary>
public sealed class MetricsKeyTests : ApiFixture
{
    private const string Key = "scrape-key-0123456789abcdef";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Metrics:Key"] = Key };

    [Test]
    public async Task A_scrape_without_the_key_is_a_401_problem()
    {
        var response = await Anonymous.GetAsync("/metrics");

        var problem = await Expect(response, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("metrics key"));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
    }

    [Test]
    public async Task A_scrape_with_another_key_is_a_401_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key + "x");

        await Expect(await Anonymous.SendAsync(request), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_scrape_with_the_key_gets_the_metrics()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        var response = await Anonymous.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("http_server_request_duration_seconds"));
    }
}

/// <summary>With <c>Metrics:Enabled=false</c> there is no <c>/metrics</c> at all.</summary>
public sealed class MetricsOffTests : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" };

    [Test]
    public async Task Metrics_switched_off_answer_404()
    {
        await Expect(await Anonymous.GetAsync("/metrics"), HttpStatusCode.NotFound);
    }
}

/// <summary>Whether metrics are on by default, and what a bad setting says.</summary>
public sealed class MetricsSettingsTests
{
    [TestCase("http://127.0.0.1:5080", true)]
    [TestCase("http://localhost:5080;http://[::1]:5080", true)]
    [TestCase("http://127.0.0.2:8080", true)]
    [TestCase("http://0.0.0.0:8080", false)]
    [TestCase("http://*:8080", false)]
    [TestCase("http://+:8080", false)]
    [TestCase("http://[::]:8080", false)]
    [TestCase("http://10.1.2.3:8080", false)]
    [TestCase("http://127.0.0.1:5080;http://did.example.com:8080", false)]
    public void Metrics_are_on_by_default_only_when_every_listen_address_is_loopback(string urls, bool on)
    {
        Assert.That(MetricsSettings.From(Config(("urls", urls))).Enabled, Is.EqualTo(on));
    }

    [Test]
    public void Listening_on_ports_alone_means_every_interface()
    {
        Assert.That(MetricsSettings.From(Config(("http_ports", "8080"))).Enabled, Is.False);
        Assert.That(MetricsSettings.From(Config(("urls", "http://127.0.0.1:5080"), ("http_ports", "8080"))).Enabled, Is.True,
            "urls wins over ports, as in Kestrel");
    }

    [Test]
    public void Kestrel_endpoints_win_over_urls()
    {
        Assert.That(MetricsSettings.From(Config(("urls", "http://127.0.0.1:5080"), ("Kestrel:Endpoints:Public:Url", "http://0.0.0.0:80"))).Enabled,
            Is.False);
        Assert.That(MetricsSettings.From(Config(("urls", "http://0.0.0.0:80"), ("Kestrel:Endpoints:Local:Url", "http://127.0.0.1:5080"))).Enabled,
            Is.True);
    }

    [Test]
    public void An_explicit_setting_wins_over_the_default()
    {
        Assert.That(MetricsSettings.From(Config(("urls", "http://0.0.0.0:8080"), ("Metrics:Enabled", "true"))).Enabled, Is.True);
        Assert.That(MetricsSettings.From(Config(("urls", "http://127.0.0.1:5080"), ("Metrics:Enabled", "false"))).Enabled, Is.False);
    }

    [Test]
    public void A_short_key_is_refused_at_start()
    {
        var e = Assert.Throws<InvalidSettingException>(() => MetricsSettings.From(Config(("Metrics:Key", "k3y-7"))));
        Assert.That(e!.Message, Does.Contain("Metrics__Key").And.Not.Contain("k3y-7"), "a secret is never echoed");
    }

    [Test]
    public void A_tracing_endpoint_that_is_not_a_url_is_refused_at_start()
    {
        var e = Assert.Throws<InvalidSettingException>(() => TracingSettings.From(Config(("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"))));
        Assert.That(e!.Message, Does.Contain("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Test]
    public void Tracing_is_off_without_an_endpoint()
    {
        Assert.That(TracingSettings.From(Config()).Enabled, Is.False);
        Assert.That(TracingSettings.From(Config(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"))).Enabled, Is.True);
    }

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
