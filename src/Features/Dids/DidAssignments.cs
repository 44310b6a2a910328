using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Json;
using Did.Infrastructure.Routing;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>The assignments of a page of numbers, in one query (never one per number).</summary>
internal static class DidAssignments
{
    private sealed record Row(Guid PhoneNumberId, Guid Id, string AssignedType, Guid? AssignedId, string? AssignedValue, string Destination);

    public static async Task<IReadOnlyDictionary<Guid, DidAssignmentSummary>> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        IReadOnlyCollection<Guid> numberIds, CancellationToken ct)
    {
        if (numberIds.Count == 0) return new Dictionary<Guid, DidAssignmentSummary>();
        var rows = await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT a.phone_number_id, a.id, a.assigned_type, a.assigned_id, a.assigned_value, {DestinationLabel.Sql} AS destination
            FROM did_assignments a {DestinationLabel.Joins}
            WHERE a.phone_number_id = ANY(@ids)
            """, new { ids = numberIds.ToArray() }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.PhoneNumberId,
            r => new DidAssignmentSummary(r.Id, ApiJson.Parse<AssignmentType>(r.AssignedType), r.AssignedId, r.AssignedValue, r.Destination));
    }

    public static async Task<DidResponse> WithAssignmentAsync(this DidRow row, NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        if (row.Status != "ASSIGNED") return row.ToResponse();
        var found = await LoadAsync(conn, tx, [row.Id], ct);
        return row.ToResponse(found.GetValueOrDefault(row.Id));
    }
}
