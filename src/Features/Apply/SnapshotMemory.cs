using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>How many rows of a tenant a snapshot reads (its users stood for by one row that every write of a user's
/// tenant or extension writes again), and the sum of a 64-bit hash of the transaction that wrote each (its
/// <c>xmin</c>). PostgreSQL never changes a row in place: an insert or an update leaves a row written by a transaction
/// that an earlier snapshot could not see, so its hash joins the sum; a delete alone lowers the count. So when both are
/// equal, so are the tenant's rows, but for a hash collision of 2^-64.</summary>
public readonly record struct TenantRowVersions(long Rows, decimal WriterHashSum);

/// <summary>The last dialplan snapshot this process read, tenant by tenant, each with the versions of its rows then: the
/// next read takes again only the tenants whose rows changed (<see cref="DialplanSnapshotReader"/>), and keeps the
/// objects of every other one, so an unchanged platform costs one aggregate query and no new objects. Lives in process
/// memory only: a new process reads everything once. Readers may run side by side: each remembers a whole, consistent
/// read, and the last one wins.</summary>
public sealed class SnapshotMemory
{
    public sealed record Tenant(TenantRowVersions Versions, TenantSnapshot Snapshot, IReadOnlyList<RoutedNumber> Numbers);

    private volatile IReadOnlyDictionary<Guid, Tenant>? _last;

    /// <summary>Each tenant of the last read, by id; null before the first.</summary>
    public IReadOnlyDictionary<Guid, Tenant>? Last => _last;

    public void Remember(IReadOnlyDictionary<Guid, Tenant> tenants) => _last = tenants;
}
