namespace Did.Features.Dids;

/// <summary>JSON and database text: UNASSIGNED (in the inventory), ALLOCATED (held by a tenant), ASSIGNED (routed to a
/// destination of the tenant), QUARANTINED (taken back from a tenant and resting until <c>quarantine_until</c>: only that
/// tenant may have it back meanwhile; calls to it get the platform's quarantine intercept).</summary>
public enum DidStatus
{
    Unassigned,
    Allocated,
    Assigned,
    Quarantined,
}
