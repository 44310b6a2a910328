namespace Did.Features.Dids;

/// <summary>JSON and database text: UNASSIGNED (in the inventory), ALLOCATED (held by a tenant), ASSIGNED (routed to a
/// destination of the tenant).</summary>
public enum DidStatus
{
    Unassigned,
    Allocated,
    Assigned,
}
