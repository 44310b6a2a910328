using System.Diagnostics;

namespace Did.Infrastructure.Observability;

/// <summary>Starts a trace of its own for every request, whatever <c>traceparent</c> the caller sends: the trace id is
/// the request id written to the audit log, and a caller must not choose it (nor share it between requests). Behind a
/// gateway that starts the traces, <c>Tracing__TrustTraceParent=true</c> keeps W3C propagation instead. Outgoing
/// context is written as usual.</summary>
public sealed class FreshTraceContext : DistributedContextPropagator
{
    public static readonly FreshTraceContext Instance = new();

    private static readonly DistributedContextPropagator Outgoing = CreateDefaultPropagator();

    public override IReadOnlyCollection<string> Fields => Outgoing.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) =>
        Outgoing.Inject(activity, carrier, setter);

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
