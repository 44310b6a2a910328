using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Did.Tests.Apply;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Observability;

/// <summary><c>GET /metrics</c> of a service wired to a fake switch: each test scrapes before and after what it does and
/// reads what changed, so the tests of the fixture do not depend on each other.</summary>
public sealed class MetricsTests : ApplyFixtureBase
{
    // Every apply here deploys by reload, whatever ran before it: the steps counted are the reload path's.
    protected override int? LiveDeltaMaxChanges => 0;

    private const string Requests = "http_server_request_duration_seconds";
    private const string Steps = "did_apply_step_duration_seconds";

    [Test]
    public async Task Requests_are_counted_and_timed_per_route_template_and_status()
    {
        var tenant = await CreateTenantAsync();
        var before = await ScrapeAsync();

        for (var i = 0; i < 3; i++) await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
        await Expect(await Admin.GetAsync($"/api/v1/tenants/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        var after = await ScrapeAsync();

        (string, string)[] ok = [("http_route", "/api/v1/tenants/{id:guid}"), ("http_request_method", "GET"), ("http_response_status_code", "200")];
        (string, string)[] notFound = [("http_route", "/api/v1/tenants/{id:guid}"), ("http_request_method", "GET"), ("http_response_status_code", "404")];
        Assert.That(Delta(before, after, Requests + "_count", ok), Is.EqualTo(3));
        Assert.That(Delta(before, after, Requests + "_count", notFound), Is.EqualTo(1));
        Assert.That(Delta(before, after, Requests + "_bucket", [.. ok, ("le", "+Inf")]), Is.EqualTo(3), "the histogram's last bucket holds every request");
        Assert.That(Delta(before, after, Requests + "_sum", ok), Is.GreaterThan(0));
    }

    [Test]
    public async Task An_apply_is_counted_by_outcome_with_each_step_timed_and_the_node_s_age_since_it()
    {
        await RouteANewNumberAsync();
        var before = await ScrapeAsync();

        var job = await Job(await PostApply());
        var after = await ScrapeAsync();

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        Assert.That(Delta(before, after, "did_apply_jobs_total", ("outcome", "SUCCEEDED")), Is.EqualTo(1));
        foreach (var step in new[] { "snapshot", "render", "lint" })
            Assert.That(Delta(before, after, Steps + "_count", ("step", step), ("node", ""), ("status", "OK")), Is.EqualTo(1), step);
        foreach (var step in new[] { "diff", "backup", "write", "reload", "verify" })
            Assert.That(Delta(before, after, Steps + "_count", ("step", step), ("node", "asterisk"), ("status", "OK")), Is.EqualTo(1), step);
        Assert.That(Delta(before, after, Steps + "_sum", ("step", "verify"), ("node", "asterisk"), ("status", "OK")), Is.GreaterThan(0));
        var age = after.Value("did_apply_last_success_age_seconds", ("node", "asterisk"));
        Assert.That(age, Is.GreaterThanOrEqualTo(0).And.LessThan(600), "seconds since an apply that has just ended");
        Assert.That(after.Value("did_ami_up", ("node", "asterisk")), Is.EqualTo(1));
        Assert.That(after.Value("did_ami_circuit_open", ("node", "asterisk")), Is.EqualTo(0));
        Assert.That(Delta(before, after, "did_ami_connects_total", ("node", "asterisk"), ("result", "OK")), Is.GreaterThanOrEqualTo(2),
            "the reload and the verify each open a session");
    }

    [Test]
    public async Task A_switch_that_refuses_connections_shows_as_down_with_its_reconnects()
    {
        await RouteANewNumberAsync();
        var before = await ScrapeAsync();
        Nodes[0].Faults.RefuseConnections = true;

        var job = await Job(await PostApply());
        var after = await ScrapeAsync();

        Assert.That(Status(job), Is.AnyOf("ROLLED_BACK", "FAILED"));
        Assert.That(Delta(before, after, "did_apply_jobs_total", ("outcome", Status(job))), Is.EqualTo(1));
        Assert.That(after.Value("did_ami_up", ("node", "asterisk")), Is.EqualTo(0));
        Assert.That(Delta(before, after, "did_ami_connects_total", ("node", "asterisk"), ("result", "FAILED")), Is.GreaterThanOrEqualTo(2));
        Assert.That(Delta(before, after, "did_ami_reconnects_total", ("node", "asterisk")), Is.GreaterThanOrEqualTo(1),
            "Ami:ConnectRetries is 1: every failed session is tried once more");
        Assert.That(Delta(before, after, Steps + "_count", ("step", "reload"), ("node", "asterisk"), ("status", "FAILED")), Is.EqualTo(1));
    }

    [Test]
    public async Task Imported_rows_and_the_database_pool_are_measured()
    {
        var before = await ScrapeAsync();
        var first = Random.Shared.Next(0, 999_999); // valid US numbers (+1 971 9XX XXXX), as an import requires
        var numbers = new[] { $"+19719{first:D6}", $"+19719{first + 1:D6}" };

        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids = numbers.Select(n => new { number = n, provider = "metrics" }) }),
            HttpStatusCode.Created);
        var after = await ScrapeAsync();

        Assert.That(Delta(before, after, "did_import_rows_total"), Is.EqualTo(2));
        // The tests' databases are unpooled, so the pool's counts are read as series, not as values.
        (string, string) pool = ("db_client_connection_pool_name", "did");
        foreach (var state in new[] { "idle", "used" })
            Assert.That(after.Find("db_client_connection_count", pool, ("db_client_connection_state", state)).Single().Value, Is.GreaterThanOrEqualTo(0));
        Assert.That(Delta(before, after, "db_client_operation_duration_seconds_count", pool), Is.GreaterThanOrEqualTo(1),
            "the import's commands are timed under the service's pool name");
    }

    [Test]
    public async Task Numbers_by_status_come_from_the_list_s_exact_counts()
    {
        var tenant = await CreateTenantAsync();
        var taken = (await SeedNumbersAsync(tenant.Id))[0];
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{taken.Id}/deallocate", null), HttpStatusCode.OK);
        var metrics = await ScrapeAsync();
        await using var conn = await Db.OpenConnectionAsync();
        await using var count = new NpgsqlCommand("SELECT status, count(*) FROM phone_numbers GROUP BY status", conn);
        await using var reader = await count.ExecuteReaderAsync();
        var counted = new Dictionary<string, long> { ["UNASSIGNED"] = 0, ["ALLOCATED"] = 0, ["ASSIGNED"] = 0, ["QUARANTINED"] = 0 };
        while (await reader.ReadAsync()) counted[reader.GetString(0)] = reader.GetInt64(1);
        foreach (var (status, n) in counted)
            Assert.That(metrics.Value("did_numbers", ("status", status)), Is.EqualTo(n), status);
    }

    [Test]
    public async Task A_meter_named_did_anything_is_exported_without_being_listed()
    {
        using var meter = new Meter("did.metrics_test");
        meter.CreateCounter<long>("did.metrics_test.events").Add(2, new KeyValuePair<string, object?>("policy", "writes"));

        var metrics = await ScrapeAsync();

        Assert.That(metrics.Value("did_metrics_test_events_total", ("policy", "writes")), Is.EqualTo(2));
    }

    [Test]
    public async Task The_scrape_is_prometheus_text_and_not_in_the_api_document()
    {
        var response = await Anonymous.GetAsync("/metrics");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("# TYPE http_server_request_duration_seconds histogram"));
        Assert.That(await Anonymous.GetStringAsync("/openapi/v1.json"), Does.Not.Contain("/metrics"));
    }

    [Test]
    public async Task The_service_s_own_sessions_are_labelled_by_their_name_never_by_the_connection_string()
    {
        await RouteANewNumberAsync();
        Assert.That(Status(await Job(await PostApply())), Is.EqualTo("SUCCEEDED"));
        var metrics = await ScrapeAsync();

        var pools = metrics.Samples.Select(s => s.Labels.GetValueOrDefault("db_client_connection_pool_name")).OfType<string>().Distinct().ToList();
        Assert.That(pools, Does.Contain("did-apply-lock"), "the apply's lock session");
        Assert.That(pools.Where(p => p.Contains("Application Name=did", StringComparison.OrdinalIgnoreCase)), Is.Empty,
            "a session the service opens outside its pool names no host, user or database");
    }

    [Test]
    public async Task The_start_up_migration_s_sessions_are_labelled_by_their_name_never_by_the_connection_string()
    {
        var metrics = await ScrapeAsync();

        var database = new NpgsqlConnectionStringBuilder(App.ConnectionString).Database!;
        var pools = metrics.Samples.Select(s => s.Labels.GetValueOrDefault("db_client_connection_pool_name")).OfType<string>().Distinct().ToList();
        Assert.That(pools.Where(p => p.Contains(database, StringComparison.Ordinal)), Is.Empty,
            "no session the service opens is labelled with its host, user or database");
    }

    private async Task RouteANewNumberAsync()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }),
            HttpStatusCode.Created);
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        var response = await Anonymous.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return PrometheusText.Parse(text);
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name, params (string, string)[] labels) =>
        after.Value(name, labels) - before.Value(name, labels);
}
