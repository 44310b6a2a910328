using System.Text.Json;
using Did.Infrastructure.Json;

namespace Did.Features.Dids;

/// <summary>The row as stored (status as text, metadata as jsonb text).</summary>
internal sealed record DidRow(
    Guid Id, string Number, string Status, Guid? TenantId, string? Provider, string ProviderMetadata, DateTime CreatedAt, DateTime UpdatedAt,
    string? Country, string? NumberType, DateTime? QuarantineUntil, Guid? QuarantinedFromTenantId)
{
    public const string Columns =
        "id, number, status, tenant_id, provider, provider_metadata::text AS provider_metadata, created_at, updated_at, country, number_type, quarantine_until, quarantined_from_tenant_id";

    /// <summary><see cref="Columns"/> qualified by a table alias, for joins.</summary>
    public static string ColumnsOf(string alias) =>
        $"{alias}.id, {alias}.number, {alias}.status, {alias}.tenant_id, {alias}.provider, {alias}.provider_metadata::text AS provider_metadata, " +
        $"{alias}.created_at, {alias}.updated_at, {alias}.country, {alias}.number_type, " +
        $"{alias}.quarantine_until, {alias}.quarantined_from_tenant_id";

    public DidResponse ToResponse(DidAssignmentSummary? assignment = null)
    {
        using var metadata = JsonDocument.Parse(ProviderMetadata);
        return new(Id, Number, ApiJson.Parse<DidStatus>(Status), TenantId, Provider, metadata.RootElement.Clone(), assignment, CreatedAt, UpdatedAt,
            Country, NumberType is null ? null : ApiJson.Parse<NumberType>(NumberType), QuarantineUntil, QuarantinedFromTenantId);
    }
}
