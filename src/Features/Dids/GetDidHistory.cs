using System.ComponentModel;
using System.Text.Json;
using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>One change to a number. A bulk change (<c>bulk</c> true) is one audit row for many numbers: <c>bulk_count</c>
/// says how many, and <c>before</c>/<c>after</c> are this number's state on each side (status and tenant); a single
/// change carries its own audit row's before and after. <c>tenant_id</c> is the tenant the change concerned.</summary>
public sealed record DidHistoryEntry(
    Guid AuditId, DateTime At, AuditAction Action, Guid? ActorId, Guid? TenantId, bool Bulk, long? BulkCount,
    JsonElement? Before, JsonElement? After, string? RequestId);

public sealed record GetDidHistoryQuery(
    [property: FromRoute(Name = "id")] Guid Id,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<DidHistoryEntry>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("did-history", ("id", Id));
}

/// <summary>The sort key of a number's history, oldest first: times may repeat, ids break the tie.</summary>
public sealed record DidHistoryCursor(DateTime At, Guid Id);

public static class GetDidHistory
{
    public sealed class Validator : AbstractValidator<GetDidHistoryQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    /// <summary>Every audit row about the number, from three places, each an index lookup: rows that name it (single
    /// changes, routes), bulk rows linked to it (audit_log_numbers), and the import that created it (the IMPORT row at
    /// its created_at whose id range holds its id, M0023; an import written before imports kept their range is matched
    /// by its time alone). A released number keeps its history: a platform role still
    /// reads it, its created_at taken from the release's row. A tenant admin reads only a number its tenant holds, and of
    /// it only the entries about its tenant.</summary>
    private const string Entries = """
        SELECT a.id AS audit_id, a.at, a.action, a.actor_id, a.tenant_id, false AS bulk, NULL::bigint AS bulk_count,
               a.before, a.after, a.request_id
        FROM audit_logs a
        WHERE a.entity_type = 'PHONE_NUMBER' AND a.entity_id = @id
        UNION ALL
        SELECT a.id, a.at, a.action, a.actor_id, l.tenant_id, true, (a.after->>'count')::bigint,
               CASE a.action
                   WHEN 'ALLOCATE' THEN jsonb_build_object('status',
                       CASE WHEN coalesce(l.from_quarantine, coalesce(a.after->'from_quarantine', '[]') @> jsonb_build_array(@id::text))
                           THEN 'QUARANTINED' ELSE 'UNASSIGNED' END,
                       'tenant_id', NULL)
                   WHEN 'DEALLOCATE' THEN jsonb_build_object('status', 'ALLOCATED', 'tenant_id', l.tenant_id)
                   WHEN 'END_QUARANTINE' THEN jsonb_build_object('status', 'QUARANTINED', 'tenant_id', NULL,
                       'quarantined_from_tenant_id', l.tenant_id) END,
               CASE a.action
                   WHEN 'ALLOCATE' THEN jsonb_build_object('status', 'ALLOCATED', 'tenant_id', l.tenant_id)
                   WHEN 'DEALLOCATE' THEN CASE WHEN a.after->>'quarantine_until' IS NOT NULL
                       THEN jsonb_build_object('status', 'QUARANTINED', 'tenant_id', NULL, 'quarantine_until', a.after->'quarantine_until',
                                               'quarantined_from_tenant_id', l.tenant_id)
                       ELSE jsonb_build_object('status', 'UNASSIGNED', 'tenant_id', NULL) END
                   WHEN 'END_QUARANTINE' THEN jsonb_build_object('status', 'UNASSIGNED', 'tenant_id', NULL) END,
               a.request_id
        FROM audit_log_numbers l JOIN audit_logs a ON a.id = l.audit_log_id
        WHERE l.phone_number_id = @id
        UNION ALL
        SELECT a.id, a.at, a.action, a.actor_id, NULL, true, (a.after->>'count')::bigint,
               NULL, jsonb_build_object('status', 'UNASSIGNED', 'tenant_id', NULL), a.request_id
        FROM audit_logs a
        WHERE a.at = @createdAt AND a.action = 'IMPORT' AND a.entity_type = 'PHONE_NUMBER' AND a.entity_id IS NULL
          AND (a.after->>'first_id' IS NULL OR @id BETWEEN (a.after->>'first_id')::uuid AND (a.after->>'last_id')::uuid)
        """;

    private sealed record Number(Guid? TenantId, DateTime? CreatedAt, bool Exists);

    private sealed record Row(
        Guid AuditId, DateTime At, string Action, Guid? ActorId, Guid? TenantId, bool Bulk, long? BulkCount, string? Before, string? After,
        string? RequestId)
    {
        public DidHistoryEntry ToEntry() => new(AuditId, At, ApiJson.Parse<AuditAction>(Action), ActorId, TenantId, Bulk, BulkCount,
            Json(Before), Json(After), RequestId);

        private static JsonElement? Json(string? s)
        {
            if (s is null) return null;
            using var doc = JsonDocument.Parse(s);
            return doc.RootElement.Clone();
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetDidHistoryQuery, Paged<DidHistoryEntry>>
    {
        public async ValueTask<Paged<DidHistoryEntry>> Handle(GetDidHistoryQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var number = await conn.QuerySingleAsync<Number>(new CommandDefinition("""
                SELECT p.tenant_id, coalesce(p.created_at, (
                           SELECT (r.before->>'created_at')::timestamptz FROM audit_logs r
                           WHERE r.entity_type = 'PHONE_NUMBER' AND r.entity_id = @id AND r.action = 'RELEASE'
                           ORDER BY r.at DESC LIMIT 1)) AS created_at,
                       p.id IS NOT NULL AS exists
                FROM (SELECT 1) one LEFT JOIN phone_numbers p ON p.id = @id
                """, new { id = q.Id }, cancellationToken: ct));
            var visible = ctx.TenantScope is { } scope
                ? number.Exists && number.TenantId == scope
                : number.Exists || number.CreatedAt is not null;
            if (!visible) throw Problem.NotFound("DID", q.Id);

            var after = q.After<DidHistoryCursor>();
            var args = new
            {
                id = q.Id, createdAt = number.CreatedAt ?? DateTime.MinValue, scope = ctx.TenantScope,
                afterAt = after?.At, afterId = after?.Id, limit = q.Limit(), offset = q.Offset(),
            };
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM ({Entries}) e WHERE @scope::uuid IS NULL OR e.tenant_id = @scope;
                SELECT audit_id, at, action, actor_id, tenant_id, bulk, bulk_count, before::text AS before, after::text AS after, request_id
                FROM ({Entries}) e
                WHERE (@scope::uuid IS NULL OR e.tenant_id = @scope)
                  AND (@afterAt::timestamptz IS NULL OR (e.at, e.audit_id) > (@afterAt, @afterId))
                ORDER BY e.at, e.audit_id
                LIMIT @limit OFFSET @offset;
                """, args, cancellationToken: ct));
            var total = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<Row>()).Select(r => r.ToEntry()).ToList();
            return q.ToPaged(rows, total, e => new DidHistoryCursor(e.At, e.AuditId));
        }
    }
}

public sealed class GetDidHistoryModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapGet("/{id:guid}/history", async ([AsParameters] GetDidHistoryQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetDidHistory")
            .WithSummary("A number's whole story, oldest first: its import, allocations, routes and their changes, unassignments, " +
                         "deallocations and quarantines (DEALLOCATE into QUARANTINED), quarantine ends (END_QUARANTINE: early by a platform admin with " +
                         "its reason, or by the sweep with no actor) and release, each with actor and before/after, bulk changes included (bulk: true, bulk_count). " +
                         "A tenant admin reads only a number its tenant holds (else 404), and of it only the entries about its tenant. " +
                         "A platform role still reads the history of a released number. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<DidHistoryEntry>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
}
