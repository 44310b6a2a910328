using System.Diagnostics.Metrics;

namespace Did.Infrastructure.Observability;

/// <summary>The service's own instruments are on meters named <see cref="Name"/>; the exporter takes every meter whose
/// name starts with "Did" or "did" (<see cref="ObservabilitySetup"/>), so a new one is exported without being listed.
/// Counters and histograms live on the one static <see cref="Shared"/> meter: recording on an instrument nobody listens
/// to costs one check. Gauges read at scrape time are made per host through <c>IMeterFactory</c>
/// (<see cref="ScrapeGauges"/>), so a stopped host's callbacks go with it.</summary>
public static class DidMeter
{
    public const string Name = "Did";

    public static readonly Meter Shared = new(Name);
}
