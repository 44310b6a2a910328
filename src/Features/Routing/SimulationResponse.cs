using Did.Dialplan;

namespace Did.Features.Routing;

/// <summary>Where the call ends up: USER, IVR and QUEUE with their <see cref="Id"/> and <see cref="Label"/> (looked up by what
/// the dialplan names; null when the database no longer has it), EXTERNAL, FALLBACK and QUARANTINE with the application call in
/// <see cref="Value"/>.</summary>
public sealed record SimulatedOutcome(OutcomeType Type, Guid? Id, string? Label, string? Value);

/// <summary>One priority the call runs, as the dialplan has it, and what it decided.</summary>
public sealed record SimulatedStep(string Context, string Extension, int Priority, string? Label, string Application, string Data, string? Note);

/// <summary>One switch's live file: its header's sha256 (as apply jobs report it), whether it is byte for byte the first
/// node's, and where the call ends up on it.</summary>
public sealed record SimulatedNode(string Name, bool Deployed, string? ContentSha256, bool SameAsFirst, SimulatedOutcome? Outcome, int? Rule, bool Failover);

public sealed record SimulationResponse(
    string Number,
    string? CallerId,
    DateTimeOffset At,
    DialStatus DialStatus,
    SimulationSource Source,
    SimulatedOutcome? Outcome,
    int? Rule,
    bool Failover,
    WalkEnd End,
    IReadOnlyList<SimulatedStep> Steps,
    IReadOnlyList<SimulatedNode> Nodes,
    bool NodesDiffer);
