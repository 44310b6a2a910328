using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.Routing;
using Npgsql;

namespace Did.Features.Assignments;

/// <summary>The number row an assignment changes, locked for the transaction so concurrent assigns of one number
/// queue up behind each other and each sees the previous one's result. <see cref="Now"/> is the transaction's
/// timestamp: the <c>now()</c> every row written in this transaction gets.</summary>
internal sealed record LockedNumber(Guid Id, string Number, string Status, Guid? TenantId, string? Slug, DateTime Now);

/// <summary>A user, IVR or queue that the number's tenant owns, with the label a route to it shows.</summary>
internal sealed record TargetRow(string Label, bool Ringable);

/// <summary>What a change of one number's route starts from, read in one round trip under the number's lock.</summary>
internal sealed record RouteChangeStart(LockedNumber Number, AssignmentResponse? Before, TargetRow? Target);

/// <summary>A change of a route is one transaction in two round trips: its BEGIN goes in the batch that locks the number
/// (the <c>Begin...</c> methods here), its COMMIT at the end of the batch that writes the change (the handler's). There
/// is no <see cref="NpgsqlTransaction"/>: Npgsql's BeginTransaction sends BEGIN as a query message of its own, which
/// PostgreSQL answers and flushes before it runs the lock: one exchange more per request than the pgbench reference
/// sends, and 2-4% of the service's CPU in paired runs (bench/RESULTS-assign.md). A request that ends between the two
/// batches (404, 409, 400, an exception) closes its connection inside the transaction; Npgsql follows the transaction
/// status PostgreSQL reports and rolls it back before the connection goes back to the pool (PooledSessionStateTests).</summary>
internal static class AssignmentStore
{
    /// <summary>Starts the transaction in the same batch as the statements after it.</summary>
    private const string Begin = "BEGIN;\n";

    /// <summary>For a change of an existing route (PUT, DELETE): begins the transaction and locks the number (404 if it
    /// is not in <paramref name="scope"/>), then reads its assignment and, if given, the target, in one batch. The read
    /// after the lock runs after it is granted, with a fresh READ COMMITTED snapshot, so it sees what a concurrent
    /// request committed while this one waited: the route it replaces or removes, and audits, is the current one.
    /// (Joined into the locking statement, the read would come from the snapshot taken before the wait.) The assignment
    /// and the target are one statement, because each statement has a fixed cost (bench/RESULTS-assign.md).</summary>
    public static async Task<RouteChangeStart> BeginLockAndReadAsync(NpgsqlConnection conn, Guid id, Guid? scope,
        (DestinationType Type, Guid Id)? target, CancellationToken ct)
    {
        using var r = await conn.QueryMultipleAsync(new CommandDefinition(LockAndReadSql.For(target),
            new { id, scope, numberId = id, targetId = target?.Id }, cancellationToken: ct));
        var number = await r.ReadSingleOrDefaultAsync<LockedNumber>() ?? throw Problem.NotFound("DID", id);
        var read = await r.ReadSingleAsync<StartRow>();
        var before = read.Id is null ? null : new Row(read.Id.Value, read.PhoneNumberId!.Value, read.PhoneNumber!, read.AssignedType!,
            read.AssignedId, read.AssignedValue, read.Destination!, read.CreatedBy, read.CreatedAt!.Value, read.UpdatedAt!.Value).ToResponse();
        var found = read.TargetLabel is null ? null : new TargetRow(read.TargetLabel, read.TargetRingable ?? false);
        return new RouteChangeStart(number, before, found);
    }

    /// <summary>For a new route (POST): begins the transaction, locks the number and reads the target in one statement,
    /// one statement less than <see cref="BeginLockAndReadAsync"/> on the hottest path. Whether the number is free is
    /// decided from the locked row's status, which is current even after a wait: a <c>FOR UPDATE</c> that waited returns
    /// the row as the previous holder committed it (the other tables of the statement are read as they were before the
    /// wait, so an assignment could not be read here). Status and assignment row change together in every transaction,
    /// and the unique key on the assignment's number backs that up: the insert of a new route has no
    /// <c>ON CONFLICT</c>. The target is looked up in the locked row's tenant; a target deleted or moved during the wait
    /// fails the insert's foreign key.</summary>
    public static async Task<(LockedNumber Number, TargetRow? Target)> BeginLockForNewRouteAsync(NpgsqlConnection conn,
        Guid id, Guid? scope, (DestinationType Type, Guid Id)? target, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<LockRow>(new CommandDefinition(LockForNewRouteSql.For(target),
            new { id, scope, targetId = target?.Id }, cancellationToken: ct)) ?? throw Problem.NotFound("DID", id);
        return (new LockedNumber(row.Id, row.Number, row.Status, row.TenantId, row.Slug, row.Now),
            row.TargetLabel is null ? null : new TargetRow(row.TargetLabel, row.TargetRingable ?? false));
    }

    /// <summary>The number's current assignment, read in the transaction, under its lock (for the message of a 409).</summary>
    public static async Task<AssignmentResponse?> ReadAsync(NpgsqlConnection conn, Guid id, CancellationToken ct) =>
        (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"{AssignmentSql} WHERE a.phone_number_id = @id",
            new { id }, cancellationToken: ct)))?.ToResponse();

    /// <summary>One statement per kind of target (none, user, IVR, queue), built once: a request only picks its own.</summary>
    private sealed class ByTarget(Func<DestinationType?, string> build)
    {
        private readonly string _none = build(null);
        private readonly Dictionary<DestinationType, string> _typed =
            new[] { DestinationType.User, DestinationType.Ivr, DestinationType.Queue }.ToDictionary(t => t, t => build(t));

        public string For((DestinationType Type, Guid Id)? target) => target is { } t ? _typed[t.Type] : _none;
    }

    private static readonly ByTarget LockAndReadSql = new(target => Begin + $"""
        SELECT p.id, p.number, p.status, p.tenant_id, t.slug, now() AS now
        FROM phone_numbers p LEFT JOIN tenants t ON t.id = p.tenant_id
        WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
        FOR UPDATE OF p;
        SELECT b.*, {(target is null ? "NULL::text" : "t.label")} AS target_label, {(target is null ? "NULL::boolean" : "t.ringable")} AS target_ringable
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL ({AssignmentSql} WHERE a.phone_number_id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)) AS b ON true
        {(target is { } t ? $"LEFT JOIN LATERAL ({DestinationLabel.TargetSql(t)}) AS t ON true" : "")}
        """);

    private static readonly ByTarget LockForNewRouteSql = new(target => Begin + $"""
        SELECT p.id, p.number, p.status, p.tenant_id, t.slug, now() AS now,
               {(target is null ? "NULL::text" : "tg.label")} AS target_label,
               {(target is null ? "NULL::boolean" : "tg.ringable")} AS target_ringable
        FROM phone_numbers p LEFT JOIN tenants t ON t.id = p.tenant_id
        {(target is { } x ? $"LEFT JOIN LATERAL ({DestinationLabel.TargetSql(x, "p.tenant_id")}) AS tg ON true" : "")}
        WHERE p.id = @id AND (@scope::uuid IS NULL OR p.tenant_id = @scope)
        FOR UPDATE OF p
        """);

    private const string AssignmentSql = $"""
        SELECT a.id, a.phone_number_id, p.number AS phone_number, a.assigned_type, a.assigned_id, a.assigned_value,
               {DestinationLabel.Sql} AS destination, a.created_by, a.created_at, a.updated_at
        FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id
        {DestinationLabel.Joins}
        """;

    internal sealed record LockRow(Guid Id, string Number, string Status, Guid? TenantId, string? Slug, DateTime Now,
        string? TargetLabel, bool? TargetRingable);

    /// <summary>The one row of the read after the lock: the assignment's columns (all null when there is none) and the
    /// target's (null when it is not found or not asked for).</summary>
    internal sealed record StartRow(
        Guid? Id, Guid? PhoneNumberId, string? PhoneNumber, string? AssignedType, Guid? AssignedId, string? AssignedValue,
        string? Destination, Guid? CreatedBy, DateTime? CreatedAt, DateTime? UpdatedAt, string? TargetLabel, bool? TargetRingable);

    /// <summary>An assignment row with its number and destination label.</summary>
    internal sealed record Row(
        Guid Id, Guid PhoneNumberId, string PhoneNumber, string AssignedType, Guid? AssignedId, string? AssignedValue,
        string Destination, Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public AssignmentResponse ToResponse() => new(Id, PhoneNumberId, PhoneNumber, ApiJson.Parse<AssignmentType>(AssignedType),
            AssignedId, AssignedValue, Destination, CreatedBy, CreatedAt, UpdatedAt);
    }

    /// <summary>"user bob@example.com (1001)" from "USER bob@example.com (1001)", for sentences.</summary>
    public static string Sentence(string label)
    {
        var space = label.IndexOf(' ');
        return space < 0 ? label : label[..space].ToLowerInvariant() + label[space..];
    }
}
