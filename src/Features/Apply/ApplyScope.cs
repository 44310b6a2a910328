namespace Did.Features.Apply;

/// <summary>What one apply deploys from the database: every tenant (<see cref="Tenants"/> null), or these tenants, with
/// every other tenant left exactly as it was last deployed (<see cref="ScopedSnapshot"/>).</summary>
public sealed record ApplyScope
{
    private ApplyScope(IReadOnlySet<Guid>? tenants) => Tenants = tenants;

    /// <summary>Null: the whole platform.</summary>
    public IReadOnlySet<Guid>? Tenants { get; }

    public static readonly ApplyScope Platform = new((IReadOnlySet<Guid>?)null);

    public static ApplyScope Tenant(Guid tenantId) => new(new HashSet<Guid> { tenantId });

    public bool IsPlatform => Tenants is null;

    public bool Covers(Guid tenantId) => Tenants is null || Tenants.Contains(tenantId);

    /// <summary>One run that serves both: the whole platform if either is, else both sets of tenants.</summary>
    public ApplyScope Union(ApplyScope other) =>
        Tenants is null || other.Tenants is null ? Platform : new ApplyScope(new HashSet<Guid>(Tenants.Concat(other.Tenants)));

    /// <summary>The tenants in a stable order (for the job row), or null for the whole platform.</summary>
    public Guid[]? ToArray() => Tenants?.Order().ToArray();

    public bool Equals(ApplyScope? other) =>
        other is not null && (Tenants is null ? other.Tenants is null : other.Tenants is not null && Tenants.SetEquals(other.Tenants));

    public override int GetHashCode() => Tenants is null ? 0 : Tenants.Count;
}
