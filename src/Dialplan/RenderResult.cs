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
    /// <summary>Stale references rendered as Hangup() or left out, sorted by text; empty when the data is clean.</summary>
    public required IReadOnlyList<RenderWarning> Warnings { get; init; }
}

/// <summary>Stale data the render left out or rendered as Hangup() (a rule or failover whose destination leads nowhere, a
/// number whose destination is gone, an IVR option to a deleted queue...): the dialplan does something other than what
/// the data says, so it is shown to whoever applies it. Filed like a refusal: under the tenant whose data it is about
/// (null: the platform's own), with the number where it is about one; <see cref="Text"/> names only that tenant's
/// objects.</summary>
/// <param name="TenantId">The tenant whose data it is about; null for the platform's own.</param>
/// <param name="Number">The number (E.164) it is about, if any.</param>
/// <param name="Text">What was left out and why, e.g. "number '+15551230001' rule 0 destination: EXTERNAL
/// Goto(tenant-acme,s,1) leads nowhere; rule left out".</param>
public sealed record RenderWarning(Guid? TenantId, string? Number, string Text)
{
    /// <summary>Ordinal by text, then tenant: the same data always gives the same list.</summary>
    public static readonly Comparison<RenderWarning> Order = (a, b) =>
        string.CompareOrdinal(a.Text, b.Text) is var c and not 0 ? c : Nullable.Compare(a.TenantId, b.TenantId);
}
