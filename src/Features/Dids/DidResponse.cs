using System.Text.Json;
using Did.Dialplan;
using Did.Infrastructure.Json;

namespace Did.Features.Dids;

/// <summary>JSON and database text: UNASSIGNED (in the inventory), ALLOCATED (held by a tenant), ASSIGNED (routed to a
/// destination of the tenant).</summary>
public enum DidStatus
{
    Unassigned,
    Allocated,
    Assigned,
}

/// <summary>Where an ASSIGNED number routes; <c>destination</c> is readable, e.g. "USER alice@example.com (1001)".</summary>
public sealed record DidAssignmentSummary(Guid Id, AssignmentType AssignedType, Guid? AssignedId, string? AssignedValue, string Destination);

/// <summary>One number of the inventory. <c>provider_metadata</c> is the carrier's JSON object as imported.</summary>
public sealed record DidResponse(
    Guid Id, string Number, DidStatus Status, Guid? TenantId, string? Provider, JsonElement ProviderMetadata,
    DidAssignmentSummary? Assignment, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The row as stored (status as text, metadata as jsonb text).</summary>
internal sealed record DidRow(
    Guid Id, string Number, string Status, Guid? TenantId, string? Provider, string ProviderMetadata, DateTime CreatedAt, DateTime UpdatedAt)
{
    public const string Columns = "id, number, status, tenant_id, provider, provider_metadata::text AS provider_metadata, created_at, updated_at";

    /// <summary><see cref="Columns"/> qualified by a table alias, for joins.</summary>
    public static string ColumnsOf(string alias) =>
        $"{alias}.id, {alias}.number, {alias}.status, {alias}.tenant_id, {alias}.provider, {alias}.provider_metadata::text AS provider_metadata, {alias}.created_at, {alias}.updated_at";

    public DidResponse ToResponse(DidAssignmentSummary? assignment = null)
    {
        using var metadata = JsonDocument.Parse(ProviderMetadata);
        return new(Id, Number, ApiJson.Parse<DidStatus>(Status), TenantId, Provider, metadata.RootElement.Clone(), assignment, CreatedAt, UpdatedAt);
    }
}

/// <summary>Rules every DID slice shares: the E.164 shape (the same as the ck_phone_numbers_e164 CHECK) and the sentences
/// of the conflicts, so a single and a bulk operation explain a refusal in the same words.</summary>
internal static class DidRules
{
    public const string E164Pattern = @"^\+[1-9][0-9]{1,14}$";

    /// <summary>^\+[1-9][0-9]{1,14}$ without a regex: it runs once per imported row.</summary>
    public static bool IsE164(ReadOnlySpan<char> s)
    {
        if (s.Length is < 3 or > 16 || s[0] != '+' || s[1] is < '1' or > '9') return false;
        foreach (var c in s[2..])
            if (c is < '0' or > '9') return false;
        return true;
    }

    /// <summary>A value a client sent, safe to echo in an error: at most 40 characters, control characters shown as '?'.</summary>
    public static string Echo(ReadOnlySpan<char> value)
    {
        var cut = value.Length > 40 ? value[..40] : value;
        var chars = new char[cut.Length];
        for (var i = 0; i < cut.Length; i++) chars[i] = char.IsControl(cut[i]) || cut[i] == '\uFFFD' ? '?' : cut[i];
        return new string(chars) + (value.Length > 40 ? "..." : "");
    }

    public static string HeldBy(string number, string status, string? tenantName) => status switch
    {
        "ASSIGNED" => $"DID {number} is assigned in tenant '{tenantName}'",
        "ALLOCATED" => $"DID {number} is already allocated to tenant '{tenantName}'",
        _ => $"DID {number} is not allocated",
    };

    /// <summary>Why an ASSIGNED number cannot go back to the inventory. When assignments exist this names the destination.</summary>
    public static string AssignedDetail(string number, DidAssignmentSummary? assignment) =>
        assignment is null
            ? $"DID {number} is assigned; unassign it first."
            : $"DID {number} is assigned to {assignment.Destination}; unassign it first.";
}

/// <summary>The answer of an import or a bulk change: either everything (failed 0) or nothing, with every problem listed.</summary>
public sealed record ImportResult(long Imported, long Failed, IReadOnlyList<string> Errors);

public sealed record BulkResult(long Updated, long Failed, IReadOnlyList<string> Errors);
