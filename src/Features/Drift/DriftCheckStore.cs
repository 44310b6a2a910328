using System.Text.Json;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.Paging;
using Npgsql;

namespace Did.Features.Drift;

/// <summary>Persists drift checks, like apply jobs: a RUNNING row while a check runs (one at a time, by a unique index),
/// then its result.</summary>
public static class DriftCheckStore
{
    public const string Columns = "id, status, requested_by, started_at, finished_at, deployed_job_id, nodes::text AS nodes, error";

    private sealed record Row(Guid Id, string Status, Guid? RequestedBy, DateTime StartedAt, DateTime? FinishedAt, Guid? DeployedJobId,
        string Nodes, string? Error)
    {
        public DriftCheckResponse ToResponse() => new(Id, ApiJson.Parse<DriftCheckStatus>(Status), RequestedBy, StartedAt, FinishedAt,
            DeployedJobId, JsonSerializer.Deserialize<List<DriftNode>>(Nodes, ApiJson.Options)!, Error);
    }

    /// <summary>Marks checks a stopped process left RUNNING as FAILED. Call only under the drift lock: then none is
    /// still running.</summary>
    public static async Task FailStaleAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE drift_checks SET status = 'FAILED', finished_at = now(), error = 'The process running this check stopped before it finished.'
            WHERE status = 'RUNNING'
            """, cancellationToken: ct));

    public static async Task<DriftCheckResponse> StartAsync(NpgsqlConnection conn, Guid? requestedBy, CancellationToken ct) =>
        (await conn.QuerySingleAsync<Row>(new CommandDefinition($"""
            INSERT INTO drift_checks (id, status, requested_by) VALUES (@id, 'RUNNING', @requestedBy) RETURNING {Columns}
            """, new { id = Guid.CreateVersion7(), requestedBy }, cancellationToken: ct))).ToResponse();

    /// <summary>The check's result and its audit row (CREATE of DRIFT_CHECK, by whoever asked; the system for a scheduled
    /// one), in one transaction.</summary>
    public static async Task<DriftCheckResponse> FinishAsync(NpgsqlConnection conn, RequestContext ctx, Guid id, DriftCheckStatus status,
        Guid? deployedJobId, IReadOnlyList<DriftNode> nodes, string? error, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        var check = (await conn.QuerySingleAsync<Row>(new CommandDefinition($"""
            UPDATE drift_checks SET status = @status, finished_at = now(), deployed_job_id = @deployedJobId, nodes = @nodes::jsonb, error = @error
            WHERE id = @id RETURNING {Columns}
            """, new { id, status = ApiJson.Name(status), deployedJobId, nodes = ApiJson.Serialize(nodes), error }, tx, cancellationToken: ct))).ToResponse();
        await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Create, AuditEntity.DriftCheck, id, null, null, check, ct);
        await tx.CommitAsync(ct);
        return check;
    }

    public static async Task<DriftCheckResponse?> GetAsync(NpgsqlConnection conn, Guid id, CancellationToken ct) =>
        (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM drift_checks WHERE id = @id", new { id }, cancellationToken: ct)))?.ToResponse();

    /// <summary>How many checks there are, and the page of them that <paramref name="keysetAndOrder"/> (the SQL after
    /// <c>WHERE true</c>, starting with AND) cuts, both from one snapshot (<see cref="PageSnapshot"/>).</summary>
    public static async Task<(long Total, List<DriftCheckResponse> Rows)> PageAsync(NpgsqlConnection conn, string keysetAndOrder, object args,
        CancellationToken ct)
    {
        await using var tx = await PageSnapshot.BeginAsync(conn, ct);
        using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
            SELECT count(*) FROM drift_checks;
            SELECT {Columns} FROM drift_checks WHERE true {keysetAndOrder};
            """, args, tx, cancellationToken: ct));
        var total = await results.ReadSingleAsync<long>();
        return (total, (await results.ReadAsync<Row>()).Select(r => r.ToResponse()).ToList());
    }

    /// <summary>The checks that <paramref name="whereAndOrder"/> (the SQL after <c>FROM drift_checks</c>) selects.</summary>
    public static async Task<List<DriftCheckResponse>> ReadAsync(NpgsqlConnection conn, string whereAndOrder, object? args, CancellationToken ct) =>
        (await conn.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM drift_checks {whereAndOrder}", args, cancellationToken: ct)))
        .Select(r => r.ToResponse()).ToList();
}
