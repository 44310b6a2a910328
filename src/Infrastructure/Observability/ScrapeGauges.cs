namespace Did.Infrastructure.Observability;

/// <summary>A gauge whose value lives in the database: it reads it when <c>/metrics</c> is scraped, before the exporter
/// collects, so the value is as of the scrape, is read asynchronously, and costs nothing between scrapes.</summary>
public interface IScrapeGauge
{
    Task RefreshAsync(CancellationToken ct);
}

/// <summary>Refreshes every <see cref="IScrapeGauge"/>. One that fails keeps its last values and is logged; the scrape
/// still answers with everything else.</summary>
public sealed class ScrapeGauges(IEnumerable<IScrapeGauge> gauges, ILogger<ScrapeGauges> log)
{
    public async Task RefreshAsync(CancellationToken ct)
    {
        foreach (var gauge in gauges)
        {
            try
            {
                await gauge.RefreshAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.LogWarning(e, "Reading {Gauge} for /metrics failed; it keeps its last values", gauge.GetType().Name);
            }
        }
    }
}
