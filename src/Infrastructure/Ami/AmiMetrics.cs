using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Did.Infrastructure.Observability;

namespace Did.Infrastructure.Ami;

/// <summary>AMI as the operator watches it, per node. Sessions are opened per apply, not held: a node's state is what
/// the last attempt found. <c>did.ami.up</c> is 1 when it connected and logged in, 0 when it failed;
/// <c>did.ami.circuit.open</c> is 1 while the breaker refuses to try (<see cref="AmiSessionFactory"/>);
/// <c>did.ami.connects</c> counts attempts by result (OK, REFUSED: wrong credentials, FAILED: no connection or no
/// answer) and <c>did.ami.reconnects</c> the attempts made again after a failure. A node not tried since start has
/// no series.</summary>
internal static class AmiMetrics
{
    private static readonly ConcurrentDictionary<string, NodeState> Nodes = new();

    private static readonly Counter<long> Connects = DidMeter.Shared.CreateCounter<long>(
        "did.ami.connects", "{attempt}", "AMI connection attempts by node and result (OK, REFUSED, FAILED).");

    private static readonly Counter<long> Reconnects = DidMeter.Shared.CreateCounter<long>(
        "did.ami.reconnects", "{attempt}", "AMI connection attempts retried after a failure, by node.");

    static AmiMetrics()
    {
        DidMeter.Shared.CreateObservableGauge("did.ami.up", () => Observe(s => s.Up), "{state}",
            "1 when the last attempt to open an AMI session to the node succeeded, 0 when it failed.");
        DidMeter.Shared.CreateObservableGauge("did.ami.circuit.open", () => Observe(s => s.CircuitOpen), "{state}",
            "1 while the node's AMI circuit breaker is open (no connection is attempted), else 0.");
    }

    public static void Connected(string node)
    {
        Connects.Add(1, Tags(node, "OK"));
        State(node).Up = 1;
    }

    public static void NotConnected(string node, bool refused)
    {
        Connects.Add(1, Tags(node, refused ? "REFUSED" : "FAILED"));
        State(node).Up = 0;
    }

    public static void Retrying(string node) => Reconnects.Add(1, new KeyValuePair<string, object?>("node", node));

    public static void Circuit(string node, bool open) => State(node).CircuitOpen = open ? 1 : 0;

    private static NodeState State(string node) => Nodes.GetOrAdd(node, _ => new NodeState());

    private static KeyValuePair<string, object?>[] Tags(string node, string result) => [new("node", node), new("result", result)];

    private static IEnumerable<Measurement<int>> Observe(Func<NodeState, int> value) =>
        Nodes.Select(n => new Measurement<int>(value(n.Value), new KeyValuePair<string, object?>("node", n.Key)));

    private sealed class NodeState
    {
        public volatile int Up;
        public volatile int CircuitOpen;
    }
}
