using System.Diagnostics;
using System.Diagnostics.Metrics;
using Did.Infrastructure.Json;
using Did.Infrastructure.Observability;

namespace Did.Features.Apply;

/// <summary>An apply as telemetry: a span for the apply with a child span per step (traces), the jobs by how they ended
/// and each step's duration (metrics). A step named <c>write:node0</c> is the step <c>write</c> on the node
/// <c>node0</c>: the node is a tag, so the series stay as few as the configured nodes.</summary>
public static class ApplyTelemetry
{
    public const string SourceName = "Did.Apply";

    private static readonly ActivitySource Source = new(SourceName);

    private static readonly Counter<long> Jobs = DidMeter.Shared.CreateCounter<long>(
        "did.apply.jobs", "{job}", "Apply jobs by how they ended: SUCCEEDED, NO_CHANGES, ROLLED_BACK, FAILED.");

    private static readonly Histogram<double> StepDuration = DidMeter.Shared.CreateHistogram(
        "did.apply.step.duration", "s", "How long each step of an apply took, by step, node and status (OK, FAILED).",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });

    public static Activity? StartApply(Guid jobId) =>
        Source.StartActivity("apply")?.SetTag("did.apply.job_id", jobId.ToString());

    public static void ApplyEnded(Activity? activity, ApplyJobEnd end)
    {
        var outcome = ApiJson.Name(end.Status);
        Jobs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (activity is null) return;
        activity.SetTag("did.apply.outcome", outcome);
        if (end.Status is ApplyJobStatus.Failed or ApplyJobStatus.RolledBack) activity.SetStatus(ActivityStatusCode.Error, end.Error);
    }

    public static Activity? StartStep(string name)
    {
        var (step, node) = Split(name);
        var activity = Source.StartActivity("apply " + step);
        if (activity is null) return null;
        activity.SetTag("did.apply.step", step);
        if (node is not null) activity.SetTag("did.node", node);
        return activity;
    }

    public static void StepEnded(Activity? activity, string name, ApplyStepStatus status, TimeSpan elapsed, string? failure = null)
    {
        var (step, node) = Split(name);
        var statusName = ApiJson.Name(status);
        StepDuration.Record(elapsed.TotalSeconds, new("step", step), new("node", node ?? ""), new("status", statusName));
        if (failure is not null) activity?.SetStatus(ActivityStatusCode.Error, failure);
    }

    private static (string Step, string? Node) Split(string name) =>
        name.IndexOf(':') is var colon and >= 0 ? (name[..colon], name[(colon + 1)..]) : (name, null);
}
