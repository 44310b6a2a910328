using System.ComponentModel;
using System.Text.Json;
using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.AuditLogs;

public sealed record AuditLogResponse(
    Guid Id, DateTime At, Guid? ActorId, AuditAction Action, AuditEntity EntityType, Guid? EntityId, Guid? TenantId,
    JsonElement? Before, JsonElement? After, string? SourceIp, string? UserAgent, string? RequestId);

public sealed record ListAuditLogsQuery(
    [property: FromQuery(Name = "entity_type")] QueryEnum<AuditEntity>? EntityType = null,
    [property: FromQuery(Name = "entity_id")] Guid? EntityId = null,
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "actor_id")] Guid? ActorId = null,
    [property: FromQuery(Name = "from"), Description(Timestamps.Description), DateTimeParameter] string? From = null,
    [property: FromQuery(Name = "to"), Description(Timestamps.Description), DateTimeParameter] string? To = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<BoundedPaged<AuditLogResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("audit-logs",
        ("entity_type", EntityType), ("entity_id", EntityId), ("tenant_id", TenantId), ("actor_id", ActorId), ("from", From), ("to", To));
}

/// <summary>The sort key of the audit log, newest first: times may repeat, ids break the tie.</summary>
public sealed record AuditLogCursor(DateTime At, Guid Id);

public static class ListAuditLogs
{
    public sealed class Validator : AbstractValidator<ListAuditLogsQuery>
    {
        public Validator()
        {
            this.ValidatePaging();
            RuleFor(q => q.From).Timestamp();
            RuleFor(q => q.To).Timestamp()
                .Must((q, to) => !Timestamps.TryRead(q.From, out var from) || !Timestamps.TryRead(to, out var until) || until >= from)
                .WithMessage((q, to) => $"'to' must not be before 'from' (you sent from '{q.From}', to '{to}').");
        }
    }

    private sealed record Row(
        Guid Id, DateTime At, Guid? ActorId, string Action, string EntityType, Guid? EntityId, Guid? TenantId,
        string? Before, string? After, string? SourceIp, string? UserAgent, string? RequestId)
    {
        public AuditLogResponse ToResponse() => new(Id, At, ActorId, ApiJson.Parse<AuditAction>(Action), ApiJson.Parse<AuditEntity>(EntityType),
            EntityId, TenantId, Json(Before), Json(After), SourceIp, UserAgent, RequestId);

        private static JsonElement? Json(string? s) => s is null ? null : JsonDocument.Parse(s).RootElement.Clone();
    }

    /// <summary>Newest first. A tenant admin's rows are confined to its tenant in the SQL, whatever tenant_id it sends.
    /// The log grows with every change, so its matches are counted up to <see cref="CountLimit"/>, not to the end.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListAuditLogsQuery, BoundedPaged<AuditLogResponse>>
    {
        public const int CountLimit = 10_000;

        public async ValueTask<BoundedPaged<AuditLogResponse>> Handle(ListAuditLogsQuery q, CancellationToken ct)
        {
            const string where = """
                WHERE (@scope::uuid IS NULL OR tenant_id = @scope)
                  AND (@entityType::text IS NULL OR entity_type = @entityType)
                  AND (@entityId::uuid IS NULL OR entity_id = @entityId)
                  AND (@tenantId::uuid IS NULL OR tenant_id = @tenantId)
                  AND (@actorId::uuid IS NULL OR actor_id = @actorId)
                  AND (@from::timestamptz IS NULL OR at >= @from)
                  AND (@to::timestamptz IS NULL OR at <= @to)
                """;
            var after = q.After<AuditLogCursor>();
            var keyset = after is null ? "" : "AND (at, id) < (@afterAt, @afterId)";
            var args = new
            {
                scope = ctx.TenantScope,
                entityType = q.EntityType?.ToString(),
                q.EntityId, q.TenantId, q.ActorId, from = Timestamps.Read(q.From), to = Timestamps.Read(q.To),
                afterAt = after?.At, afterId = after?.Id,
                limit = q.Limit(), offset = q.Offset(), countLimit = CountLimit + 1,
            };
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await PageSnapshot.BeginAsync(conn, ct);
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM (SELECT 1 FROM audit_logs {where} LIMIT @countLimit) c;
                SELECT id, at, actor_id, action, entity_type, entity_id, tenant_id, before::text AS before, after::text AS after,
                       source_ip, user_agent, request_id
                FROM audit_logs {where} {keyset} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset;
                """, args, tx, cancellationToken: ct));
            var matches = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<Row>()).Select(r => r.ToResponse()).ToList();
            var (items, next) = q.Cut(rows, a => new AuditLogCursor(a.At, a.Id));
            var counted = matches <= CountLimit;
            return new BoundedPaged<AuditLogResponse>(items, counted ? matches : null, counted ? null : matches, q.PageNumber(), q.PageSize, next);
        }
    }
}

public sealed class ListAuditLogsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/audit-logs", "Audit")
            .MapGet("/", async ([AsParameters] ListAuditLogsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListAuditLogs")
            .WithSummary("Audit rows, newest first. A tenant admin sees only its tenant's rows. total is exact up to 10,000 matches; " +
                         "beyond that it is null and total_at_least is given. Follow next_cursor (cursor=) for the next page.")
            .Produces<BoundedPaged<AuditLogResponse>>()
            .ProducesValidationProblem();
}
