using System.Diagnostics.Metrics;
using Did.Infrastructure.Observability;

namespace Did.Features.Dids;

/// <summary><c>did.import.rows</c>: numbers stored by imports (JSON or CSV), counted once their transaction commits. A
/// refused import stores nothing and counts nothing; its 400 is in the request metrics.</summary>
public static class ImportMetrics
{
    private static readonly Counter<long> Rows = DidMeter.Shared.CreateCounter<long>(
        "did.import.rows", "{number}", "Numbers stored in the inventory by imports.");

    public static void Stored(long rows) => Rows.Add(rows);
}
