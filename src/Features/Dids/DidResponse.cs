using System.Text.Json;
using Did.Dialplan;

namespace Did.Features.Dids;

/// <summary>Where an ASSIGNED number routes; <c>destination</c> is readable, e.g. "USER alice@example.com (1001)".</summary>
public sealed record DidAssignmentSummary(Guid Id, AssignmentType AssignedType, Guid? AssignedId, string? AssignedValue, string Destination);

/// <summary>One number of the inventory. <c>provider_metadata</c> is the carrier's JSON object as imported. <c>country</c>
/// (ISO 3166 region, 001 for non-geographic services) and <c>number_type</c> are libphonenumber's; both are null for a
/// number it does not recognise (stored before numbers were validated). A QUARANTINED number has
/// <c>quarantine_until</c> (when the sweep returns it to UNASSIGNED) and <c>quarantined_from_tenant_id</c> (the tenant it
/// was taken from, the only one that may have it back meanwhile; null once that tenant is deleted); both are null in every
/// other state.</summary>
public sealed record DidResponse(
    Guid Id, string Number, DidStatus Status, Guid? TenantId, string? Provider, JsonElement ProviderMetadata,
    DidAssignmentSummary? Assignment, DateTime CreatedAt, DateTime UpdatedAt, string? Country, NumberType? NumberType,
    DateTime? QuarantineUntil, Guid? QuarantinedFromTenantId);
