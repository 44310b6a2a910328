using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Tests.Apply;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using OpenTelemetry.Trace;

namespace Did.Tests.Observability;

/// <summary>With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, spans go over OTLP/HTTP to a collector (a tiny one in the test):
/// one span per request, database commands and the apply with its steps under it, and the request id is the trace id.</summary>
public sealed class TracingTests : ApplyFixtureBase
{
    // Every apply here deploys by reload, whatever ran before it: the steps counted are the reload path's.
    protected override int? LiveDeltaMaxChanges => 0;

    private const int ServerKind = 2;
    private OtlpReceiver _collector = null!;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _serverSpansEnded = new();
    private ActivityListener? _serverSpans;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        // Activity sources are process-wide: every other fixture's requests and database commands, running alongside in
        // this test process, are spans of this service's provider too. Past its queue (2,048 by default) the batch
        // processor drops spans until the next export, and a request's own span, ending last, was among them.
        ["OTEL_BSP_MAX_QUEUE_SIZE"] = "1000000",
        // Those spans make each export big: on a loaded machine the collector may take longer than the exporter's default
        // 10 s to read one, and a batch that times out is dropped, the request's span with it.
        ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "120000",
    };

    protected override async Task BeforeServiceStartsAsync()
    {
        _collector = await OtlpReceiver.StartAsync();
        await base.BeforeServiceStartsAsync();
    }

    /// <summary>ASP.NET Core ends a request's span after the response has left, so a client can hold the answer before the
    /// span is handed to the exporter. This listener, added after the service's own, hears each server span end once the
    /// exporter has it: a flush waits for that signal.</summary>
    [OneTimeSetUp]
    public void ListenForServerSpans() => ActivitySource.AddActivityListener(_serverSpans = new ActivityListener
    {
        ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
        ActivityStopped = activity => ServerSpanEnded(activity.TraceId.ToHexString()).TrySetResult(),
    });

    private TaskCompletionSource ServerSpanEnded(string traceId) =>
        _serverSpansEnded.GetOrAdd(traceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    [OneTimeTearDown]
    public async Task StopCollectorAsync()
    {
        _serverSpans?.Dispose();
        await _collector.DisposeAsync();
    }

    [Test]
    public async Task A_request_is_one_server_span_whose_trace_id_is_the_request_id_with_its_database_commands_under_it()
    {
        var problem = await Expect(await Admin.GetAsync($"/api/v1/tenants/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        var requestId = problem.GetProperty("request_id").GetString()!;

        var spans = Flush(requestId);

        Assert.That(requestId, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(problem.GetProperty("trace_id").GetString(), Is.EqualTo(requestId));
        var server = spans.Single(s => s.Kind == ServerKind);
        Assert.That(server.Name, Is.EqualTo("GET /api/v1/tenants/{id:guid}"));
        Assert.That(server.ParentSpanId, Is.Empty, "the request starts its trace");
        var database = spans.Where(s => s.Scope == "Npgsql").ToList();
        Assert.That(database, Is.Not.Empty, "the tenant lookup is a database command span");
        Assert.That(database.Select(s => Root(spans, s)), Has.All.EqualTo(server.SpanId));
    }

    [Test]
    public async Task An_apply_is_a_span_under_its_request_with_a_child_span_per_step()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }),
            HttpStatusCode.Created);

        var job = await Job(await PostApply());
        await using var conn = await Db.OpenConnectionAsync();
        var requestId = await conn.QuerySingleAsync<string>(
            "SELECT request_id FROM audit_logs WHERE action = 'APPLY' AND entity_id = @id", new { id = job.GetProperty("id").GetGuid() });
        var spans = Flush(requestId);

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"));
        var server = spans.Single(s => s.Kind == ServerKind);
        Assert.That(server.Name, Is.EqualTo("POST /api/v1/apply/"));
        var apply = spans.Single(s => s.Scope == "Did.Apply" && s.Name == "apply");
        Assert.That(apply.ParentSpanId, Is.EqualTo(server.SpanId));
        var steps = spans.Where(s => s.ParentSpanId == apply.SpanId && s.Scope == "Did.Apply").Select(s => s.Name).ToList();
        Assert.That(steps, Is.EquivalentTo(new[]
        {
            "apply snapshot", "apply render", "apply lint", "apply diff", "apply plan", "apply backup", "apply write", "apply reload", "apply verify",
        }));
        var snapshot = spans.Single(s => s.Name == "apply snapshot");
        Assert.That(spans.Where(s => s.Scope == "Npgsql" && s.ParentSpanId == snapshot.SpanId), Is.Not.Empty,
            "the snapshot's queries are spans of the snapshot step");
    }

    [Test]
    public async Task A_caller_s_traceparent_neither_chooses_the_request_id_nor_parents_the_span()
    {
        const string callerTrace = "0af7651916cd43dd8448eb211c80319c";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{Guid.NewGuid()}");
        request.Headers.Add("traceparent", $"00-{callerTrace}-b7ad6b7169203331-01");

        var problem = await Expect(await Admin.SendAsync(request), HttpStatusCode.NotFound);
        var requestId = problem.GetProperty("request_id").GetString()!;
        var spans = Flush(requestId);

        Assert.That(requestId, Is.Not.EqualTo(callerTrace));
        Assert.That(spans.Single(s => s.Kind == ServerKind).ParentSpanId, Is.Empty);
    }

    /// <summary>Once the request's server span has ended, exports what is buffered and waits until the collector holds that
    /// span, then returns the trace's spans. ForceFlush returns once the buffer has handed its spans to an export, and an
    /// export the exporter had already begun may still be on its way; the server span ends last in its trace and batches
    /// go out in order, so once it has arrived the trace's other spans have too.</summary>
    private List<ReceivedSpan> Flush(string traceId)
    {
        Assert.That(ServerSpanEnded(traceId).Task.Wait(TimeSpan.FromSeconds(30)), Is.True, "the request's server span ended");
        var tracer = App.Services.GetRequiredService<TracerProvider>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.That(tracer.ForceFlush(), Is.True, "the exporter took the spans");
            if (_collector.Spans.Any(s => s.TraceId == traceId && s.Kind == ServerKind) || DateTime.UtcNow >= deadline) break;
            Thread.Sleep(50);
        }
        return [.. _collector.Spans.Where(s => s.TraceId == traceId)];
    }

    /// <summary>The server span a span descends from.</summary>
    private static string Root(List<ReceivedSpan> spans, ReceivedSpan span)
    {
        while (spans.FirstOrDefault(s => s.SpanId == span.ParentSpanId) is { } parent)
        {
            if (parent.Kind == ServerKind) return parent.SpanId;
            span = parent;
        }
        return "";
    }
}
