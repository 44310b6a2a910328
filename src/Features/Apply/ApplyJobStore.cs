using System.Text.Json;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.Paging;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Persists apply jobs. The steps and the names of the backups made are saved before any live file is replaced,
/// for the record; what recovery restores is found in the nodes' backup folders by the job's id.</summary>
public static class ApplyJobStore
{
    public const string Columns = "id, status, requested_by, started_at, finished_at, numbers_routed, content_sha256, diff_stats::text AS diff_stats, steps::text AS steps, error, array_to_string(tenant_ids, ',') AS tenant_ids, warnings::text AS warnings, warnings_total, warnings_by_tenant::text AS warnings_by_tenant";

    private sealed record Row(Guid Id, string Status, Guid? RequestedBy, DateTime StartedAt, DateTime? FinishedAt, int? NumbersRouted,
        string? ContentSha256, string? DiffStats, string Steps, string? Error, string? TenantIds, string Warnings, int WarningsTotal,
        string WarningsByTenant)
    {
        public ApplyJobResponse ToResponse() => new(Id, ApiJson.Parse<ApplyJobStatus>(Status), RequestedBy, StartedAt, FinishedAt, NumbersRouted,
            ContentSha256, DiffStats is null ? null : JsonSerializer.Deserialize<DiffStats>(DiffStats, ApiJson.Options),
            JsonSerializer.Deserialize<List<ApplyStep>>(Steps, ApiJson.Options)!, Error,
            TenantIds is null ? null : [.. TenantIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)],
            JsonSerializer.Deserialize<List<RenderWarning>>(Warnings, ApiJson.Options)!, WarningsTotal)
        {
            WarningsByTenant = JsonSerializer.Deserialize<Dictionary<Guid, int>>(WarningsByTenant, ApiJson.Options)!,
        };
    }

    /// <summary>A RUNNING job for the callers of one run: the first is its requester, all of them may read it.</summary>
    public static async Task<Guid> StartAsync(NpgsqlDataSource db, IReadOnlyList<ApplyCaller> callers, ApplyScope scope, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO apply_jobs (id, status, requested_by, tenant_ids, callers) VALUES (@id, 'RUNNING', @requestedBy, @tenantIds, @callers)",
            new
            {
                id, requestedBy = callers[0].ActorId, tenantIds = scope.ToArray(),
                callers = callers.Select(c => c.ActorId).OfType<Guid>().Distinct().ToArray(),
            }, cancellationToken: ct));
        return id;
    }

    public static async Task SaveProgressAsync(NpgsqlDataSource db, Guid id, IReadOnlyList<ApplyStep> steps, IReadOnlyList<FileBackup> backups, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE apply_jobs SET steps = @steps::jsonb, backups = @backups::jsonb WHERE id = @id",
            new { id, steps = ApiJson.Serialize(steps), backups = ApiJson.Serialize(backups) }, cancellationToken: ct));
    }

    /// <summary>The job's last word and its audit row, in one transaction: <paramref name="deployed"/>'s when given (a job
    /// that left the nodes running what it rendered, SUCCEEDED or NO_CHANGES, records the deployed state in it), else one
    /// of its own. When the job changed the switch (SUCCEEDED), each tenant whose deployed part changed gets an audit row
    /// naming the job, by the caller whose request covered that tenant. The job's own row is by its first caller.</summary>
    public static async Task<ApplyJobResponse> FinishAsync(NpgsqlDataSource db, Guid id, ApplyJobEnd end,
        IReadOnlyList<ApplyStep> steps, DeployedStateWrite? deployed, IReadOnlyList<ApplyCaller> callers, CancellationToken ct)
    {
        var (status, numbersRouted, sha, error) = (end.Status, end.Rendered?.NumbersRouted, end.Rendered?.ExtensionsSha256, end.Error);
        var stats = end.Rendered is null ? null : end.Stats ?? DiffStats.None;
        var warnings = end.Rendered?.Warnings ?? [];
        await using var ownConnection = deployed is null ? await db.OpenConnectionAsync(ct) : null;
        await using var ownTransaction = ownConnection is null ? null : await ownConnection.BeginTransactionAsync(ct);
        var (conn, tx) = deployed is null ? (ownConnection!, ownTransaction!) : (deployed.Connection, deployed.Transaction);
        var job = (await conn.QuerySingleAsync<Row>(new CommandDefinition($"""
            UPDATE apply_jobs SET status = @status, finished_at = now(), numbers_routed = @numbersRouted, content_sha256 = @sha,
                diff_stats = @stats::jsonb, steps = @steps::jsonb, error = @error,
                warnings = @warnings::jsonb, warnings_total = @warningsTotal, warnings_by_tenant = @warningsByTenant::jsonb
            WHERE id = @id
            RETURNING {Columns}
            """, new
            {
                id, status = ApiJson.Name(status), numbersRouted, sha, stats = stats is null ? null : ApiJson.Serialize(stats),
                steps = ApiJson.Serialize(steps), error, warnings = ApiJson.Serialize(RenderWarnings.First(warnings)),
                warningsTotal = warnings.Count, warningsByTenant = ApiJson.Serialize(RenderWarnings.CountByTenant(warnings)),
            }, tx, cancellationToken: ct))).ToResponse();
        await conn.ExecuteAsync(new CommandDefinition(AuditLog.InsertSql, ApplyAudit.Job(callers[0], id, job), tx, cancellationToken: ct));
        if (deployed is { Changed.Count: > 0 } && status == ApplyJobStatus.Succeeded)
        {
            // One row per tenant whose live routing changed, all in one statement (a first apply changes every tenant).
            var rows = deployed.Changed.Select(tenant => ApplyAudit.TenantDeployed(CallerFor(tenant, callers), id, tenant)).ToList();
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id)
                SELECT r.id, clock_timestamp(), r.actor_id, r.action, r.entity_type, r.entity_id, r.tenant_id, NULL, r.after::jsonb, r.source_ip, r.user_agent, r.request_id
                FROM unnest(@ids, @actors, @actions, @types, @entities, @tenants, @afters, @ips, @agents, @requests)
                     AS r(id, actor_id, action, entity_type, entity_id, tenant_id, after, source_ip, user_agent, request_id)
                """, new
            {
                ids = rows.Select(r => r.AuditId).ToArray(), actors = rows.Select(r => r.AuditActor).ToArray(),
                actions = rows.Select(r => r.AuditActionName).ToArray(), types = rows.Select(r => r.AuditEntityType).ToArray(),
                entities = rows.Select(r => r.AuditEntityId).ToArray(), tenants = rows.Select(r => r.AuditTenantId).ToArray(),
                afters = rows.Select(r => r.AuditAfter).ToArray(), ips = rows.Select(r => r.AuditIp).ToArray(),
                agents = rows.Select(r => r.AuditUserAgent).ToArray(), requests = rows.Select(r => r.AuditRequestId).ToArray(),
            }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return job;
    }

    /// <summary>Whose request deployed a tenant: the first caller that asked for that tenant by name, else the first that
    /// asked for the whole platform (a tenant outside every scope only changes when a stale number or slug was dropped,
    /// and then the run's first caller did it).</summary>
    private static ApplyCaller CallerFor(Guid tenant, IReadOnlyList<ApplyCaller> callers) =>
        callers.FirstOrDefault(c => c.Scope.Tenants?.Contains(tenant) == true) ?? callers.FirstOrDefault(c => c.Scope.IsPlatform) ?? callers[0];

    /// <summary>Job <paramref name="id"/> if <paramref name="ctx"/> may read it (<see cref="Readable"/>), else null.</summary>
    public static async Task<ApplyJobResponse?> GetAsync(NpgsqlConnection conn, Guid id, RequestContext ctx, CancellationToken ct) =>
        (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM apply_jobs WHERE id = @id AND {Readable(ctx)}",
            new { id, actor = ctx.ActorId, tenant = ctx.TenantId }, cancellationToken: ct)))?.ToResponse();

    /// <summary>How many jobs <paramref name="where"/> selects, and the page of them that <paramref name="keysetAndOrder"/>
    /// (the SQL after the WHERE clause, starting with AND) cuts, both from one snapshot (<see cref="PageSnapshot"/>).</summary>
    public static async Task<(long Total, List<ApplyJobResponse> Rows)> PageAsync(NpgsqlConnection conn, string where, string keysetAndOrder,
        object args, CancellationToken ct)
    {
        await using var tx = await PageSnapshot.BeginAsync(conn, ct);
        using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
            SELECT count(*) FROM apply_jobs {where};
            SELECT {Columns} FROM apply_jobs {where} {keysetAndOrder};
            """, args, tx, cancellationToken: ct));
        var total = await results.ReadSingleAsync<long>();
        return (total, (await results.ReadAsync<Row>()).Select(r => r.ToResponse()).ToList());
    }

    /// <summary>The condition on <c>apply_jobs</c> of the jobs <paramref name="ctx"/> reads, with the parameters <c>@actor</c>
    /// and <c>@tenant</c>: every job for platform roles; for a tenant admin <see cref="TenantAdminReads"/>.</summary>
    public static string Readable(RequestContext ctx) => ctx.Role == Role.TenantAdmin ? TenantAdminReads : "true";

    /// <summary>The jobs a tenant admin (<c>@actor</c>, of tenant <c>@tenant</c>) reads: those that carried its request and
    /// deployed its tenant or the whole platform, whatever their end (a person moved to another tenant no longer reads
    /// its old tenant's), and those its tenant's audit log names because they changed the tenant's live routing
    /// (<see cref="ApplyAudit.TenantDeployed"/>), whoever applied them. The second is found by ix_audit_apply_job (M0042).</summary>
    public const string TenantAdminReads = """
        (((apply_jobs.requested_by = @actor OR @actor = ANY(apply_jobs.callers))
          AND (apply_jobs.tenant_ids IS NULL OR @tenant = ANY(apply_jobs.tenant_ids)))
         OR EXISTS (SELECT 1 FROM audit_logs a
                    WHERE a.action = 'APPLY' AND a.entity_type = 'TENANT'
                      AND (a.after->>'job_id')::uuid = apply_jobs.id AND a.tenant_id = @tenant))
        """;

    public static async Task<Guid?> RunningAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM apply_jobs WHERE status = 'RUNNING' ORDER BY started_at DESC LIMIT 1", cancellationToken: ct));
    }

    /// <summary>Jobs left RUNNING: only their ids are read back; nothing else in the row decides what recovery does.</summary>
    public static async Task<List<Guid>> StaleAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return [.. await conn.QueryAsync<Guid>(new CommandDefinition("SELECT id FROM apply_jobs WHERE status = 'RUNNING'", cancellationToken: ct))];
    }

    public static async Task MarkFailedAsync(NpgsqlDataSource db, RequestContext ctx, Guid id, string error, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var job = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            UPDATE apply_jobs SET status = 'FAILED', finished_at = now(), error = @error WHERE id = @id AND status = 'RUNNING'
            RETURNING {Columns}
            """, new { id, error }, tx, cancellationToken: ct));
        if (job is not null)
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Apply, AuditEntity.ApplyJob, id, null, null, job.ToResponse(), ct);
        await tx.CommitAsync(ct);
    }
}
