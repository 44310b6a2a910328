namespace Did.Dialplan;

/// <summary>What one render produced. The hashes are the ones written in each file's header (SHA-256 of the
/// body after the header); equal hashes mean an apply would change nothing on the switch.</summary>
public sealed record RenderResult
{
    public required int Tenants { get; init; }
    /// <summary>Users that got a dialplan extension: those something reaches (a number, rule, failover, IVR option, queue
    /// or EXTERNAL Goto); users nothing reaches, and users without extension, are not counted.</summary>
    public required int Users { get; init; }
    public required int Ivrs { get; init; }
    public required int Queues { get; init; }
    public required int NumbersRouted { get; init; }
    /// <summary>Generated contexts, from-trunk-external and the shards included (= ContextNames.Count).</summary>
    public required int Contexts { get; init; }
    public required int Shards { get; init; }
    public required string ExtensionsSha256 { get; init; }
    public required string QueuesSha256 { get; init; }
    /// <summary>Every generated context in file order: what the verifier asks Asterisk for with ShowDialPlan.</summary>
    public required IReadOnlyList<string> ContextNames { get; init; }
    /// <summary>Every queues.conf section in file order (the Queue() names).</summary>
    public required IReadOnlyList<string> QueueNames { get; init; }
    /// <summary>Stale references rendered as Hangup() or left unrouted, sorted; empty when the data is clean.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>Both files as strings, for tests and small tools.</summary>
public sealed record RenderedDialplan(string Extensions, string Queues, RenderResult Result);
