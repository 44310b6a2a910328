using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.Routing;
using Npgsql;

namespace Did.Features.Assignments;

/// <summary>The number row an assignment changes, locked for the transaction so concurrent assigns of one number
/// queue up behind each other and each sees the previous one's result.</summary>
internal sealed record LockedNumber(Guid Id, string Number, string Status, Guid? TenantId, string? Slug);

internal static class AssignmentStore
{
    public static async Task<LockedNumber> LockNumberAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, Guid? scope, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<LockedNumber>(new CommandDefinition("""
            SELECT p.id, p.number, p.status, p.tenant_id, t.slug
            FROM phone_numbers p LEFT JOIN tenants t ON t.id = p.tenant_id
            WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
            FOR UPDATE OF p
            """, new { id, scope }, tx, cancellationToken: ct))
        ?? throw Problem.NotFound("DID", id);

    /// <summary>An assignment row with its number and destination label, as <see cref="ReadAsync"/> and the assign write
    /// select it.</summary>
    internal sealed record Row(
        Guid Id, Guid PhoneNumberId, string PhoneNumber, string AssignedType, Guid? AssignedId, string? AssignedValue,
        string Destination, Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public AssignmentResponse ToResponse() => new(Id, PhoneNumberId, PhoneNumber, ApiJson.Parse<AssignmentType>(AssignedType),
            AssignedId, AssignedValue, Destination, CreatedBy, CreatedAt, UpdatedAt);
    }

    public static async Task<AssignmentResponse?> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid phoneNumberId, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            SELECT a.id, a.phone_number_id, p.number AS phone_number, a.assigned_type, a.assigned_id, a.assigned_value,
                   {DestinationLabel.Sql} AS destination, a.created_by, a.created_at, a.updated_at
            FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id
            {DestinationLabel.Joins}
            WHERE a.phone_number_id = @phoneNumberId
            """, new { phoneNumberId }, tx, cancellationToken: ct));
        return row?.ToResponse();
    }

    /// <summary>"user bob@example.com (1001)" from "USER bob@example.com (1001)", for sentences.</summary>
    public static string Sentence(string label)
    {
        var space = label.IndexOf(' ');
        return space < 0 ? label : label[..space].ToLowerInvariant() + label[space..];
    }
}
