using Did.Features.Apply;

namespace Did.Features.Drift;

/// <summary>JSON: RUNNING, IN_SYNC (every node runs what was deployed), DRIFTED (at least one node does not),
/// INCONCLUSIVE (an apply ran during the check, or the deployed state no longer renders to what was deployed: the
/// result says nothing), FAILED (the check could not run, e.g. nothing deployed yet, or a node did not answer).</summary>
public enum DriftCheckStatus { Running, InSync, Drifted, Inconclusive, Failed }

/// <summary>A context whose live priorities differ from the render: each difference as a line, at most
/// <see cref="LiveContextComparison.MaxLinesPerContext"/>.</summary>
public sealed record DriftContext(string Context, IReadOnlyList<string> Differences);

/// <summary>A live file whose bytes differ from the render: the unified diff (bounded) of live against rendered.</summary>
public sealed record DriftFile(string File, string Diff, bool DiffTruncated);

/// <summary>One node's result. <see cref="InSync"/> is null when the node could not be checked (<see cref="Error"/>).</summary>
public sealed record DriftNode(string Node, bool? InSync, IReadOnlyList<DriftContext> Contexts, IReadOnlyList<DriftFile> Files, string? Error);

/// <param name="DeployedJobId">The apply whose render the nodes were compared with (the last successful one).</param>
public sealed record DriftCheckResponse(
    Guid Id, DriftCheckStatus Status, Guid? RequestedBy, DateTime StartedAt, DateTime? FinishedAt, Guid? DeployedJobId,
    IReadOnlyList<DriftNode> Nodes, string? Error);
