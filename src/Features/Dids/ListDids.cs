using System.Data;
using System.Text.Json;
using Carter;
using Did.Dialplan;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Dids;

public sealed record ListDidsQuery(
    [property: FromQuery(Name = "status")] QueryEnum<DidStatus>? Status = null,
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "number")] string? Number = null,
    [property: FromQuery(Name = "provider")] string? Provider = null,
    [property: FromQuery(Name = "assigned_type")] QueryEnum<AssignmentType>? AssignedType = null,
    [property: FromQuery(Name = "after")] string? After = null,
    [property: FromQuery(Name = "page")] int Page = 1,
    [property: FromQuery(Name = "page_size")] int PageSize = Paging.DefaultPageSize) : IQuery<DidPage>, IPaged;

/// <summary>A page of numbers. <c>total</c> is exact when <c>total_is_estimate</c> is false, which is always the case when
/// at most <c>Dids:ExactCountLimit</c> (1,000) numbers match; beyond that it is PostgreSQL's planner estimate (at least
/// the limit + 1), since counting a million rows exactly would cost more than the page itself.</summary>
public sealed record DidPage(IReadOnlyList<DidResponse> Items, long Total, bool TotalIsEstimate, int Page, int PageSize);

public static class ListDids
{
    public const string NumberPattern = @"^\+?[0-9]{1,15}$";

    public sealed class Validator : AbstractValidator<ListDidsQuery>
    {
        public Validator()
        {
            this.ValidatePaging();
            RuleFor(q => q.Number).MatchesWhole(NumberPattern).When(q => q.Number is not null)
                .WithMessage("'number' must be 1 to 15 digits, optionally after a '+' (you sent '{PropertyValue}').");
            RuleFor(q => q.After).MatchesWhole(DidRules.E164Pattern).When(q => q.After is not null)
                .WithMessage("'after' must be an E.164 number, the last number of the previous page (you sent '{PropertyValue}').");
            RuleFor(q => q.Provider).NotEmpty().MaximumLength(255).When(q => q.Provider is not null);
        }
    }

    /// <summary>Only the filters given become SQL, so each query has the plan of its own index. The page is a deferred join:
    /// the numbers of the page come from an index(-only) scan, and only those 50..200 rows are read from the table. A deep
    /// page of the whole inventory or of one tenant starts from a cached anchor (<see cref="DidPageAnchors"/>) instead of
    /// walking an OFFSET; other filters walk it. The count stops at the exact-count limit.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, IConfiguration config, DidPageAnchors anchors)
        : IQueryHandler<ListDidsQuery, DidPage>
    {
        private readonly int _exactLimit = config.GetValue<int?>("Dids:ExactCountLimit") ?? 1_000;

        public async ValueTask<DidPage> Handle(ListDidsQuery q, CancellationToken ct)
        {
            var filters = new List<string>();
            var p = new DynamicParameters();
            if (ctx.TenantScope is { } scope) { filters.Add("tenant_id = @scope"); p.Add("scope", scope); }
            if (q.TenantId is { } tenantId) { filters.Add("tenant_id = @tenantId"); p.Add("tenantId", tenantId); }
            if (q.Status is { } status) { filters.Add("status = @status"); p.Add("status", status.ToString()); }
            if (q.Provider is { } provider) { filters.Add("provider = @provider"); p.Add("provider", provider); }
            if (q.AssignedType is { } assignedType)
            {
                filters.Add("EXISTS (SELECT 1 FROM did_assignments a WHERE a.phone_number_id = phone_numbers.id AND a.assigned_type = @assignedType)");
                p.Add("assignedType", assignedType.ToString());
            }
            if (q.Number is { } number)
            {
                // '+' only ever starts a number, so "+1555" is a prefix: LIKE '+1555%'; digits alone may be anywhere.
                filters.Add("number LIKE @pattern");
                p.Add("pattern", number.StartsWith('+') ? number + "%" : "%" + number + "%");
            }
            var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
            // Keyset: the page starts after a number, whatever its depth (an index range, where OFFSET walks every skipped row).
            var pageWhere = q.After is null ? where : (filters.Count == 0 ? "WHERE " : where + " AND ") + "number > @after";
            if (q.After is not null) p.Add("after", q.After);
            p.Add("limit", q.PageSize);
            p.Add("countLimit", _exactLimit + 1);
            var offset = q.Offset();

            await using var conn = await db.OpenConnectionAsync(ct);
            NpgsqlTransaction? tx = null;
            if (offset >= anchors.Stride && HasAnchors(q, out var anchorTenant))
            {
                // One snapshot for the epoch check and the page, so a trusted anchor is exact for this read.
                tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                if (await anchors.FindAsync(conn, tx, anchorTenant, offset, ct) is { } start)
                {
                    pageWhere = (filters.Count == 0 ? "WHERE " : where + " AND ") + "number >= @anchor";
                    p.Add("anchor", start.Anchor);
                    offset = start.Skip;
                }
            }
            p.Add("offset", offset);
            await using var _ = tx;

            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM (SELECT 1 FROM phone_numbers {where} LIMIT @countLimit) c;
                SELECT {DidRow.ColumnsOf("p")} FROM phone_numbers p
                JOIN (SELECT number FROM phone_numbers {pageWhere} ORDER BY number LIMIT @limit OFFSET @offset) k ON k.number = p.number
                ORDER BY p.number;
                """, p, tx, cancellationToken: ct));
            var total = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<DidRow>()).AsList();
            var assignments = await DidAssignments.LoadAsync(conn, tx, rows.Where(r => r.Status == "ASSIGNED").Select(r => r.Id).ToList(), ct);
            var items = rows.Select(r => r.ToResponse(assignments.GetValueOrDefault(r.Id))).ToList();
            if (total <= _exactLimit) return new DidPage(items, total, false, q.Page, q.PageSize);

            var plan = await conn.ExecuteScalarAsync<string>(new CommandDefinition(
                $"EXPLAIN (FORMAT JSON) SELECT 1 FROM phone_numbers {where}", p, tx, cancellationToken: ct));
            using var doc = JsonDocument.Parse(plan!);
            var estimate = (long)doc.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
            return new DidPage(items, Math.Max(estimate, _exactLimit + 1L), true, q.Page, q.PageSize);
        }

        // Anchors exist for the whole inventory (null tenant) and per tenant: those orders change only on import,
        // release, allocate and deallocate. Any other filter, or a cursor, pages without them.
        private bool HasAnchors(ListDidsQuery q, out Guid? tenant)
        {
            tenant = ctx.TenantScope ?? q.TenantId;
            if (q.Status is not null || q.Provider is not null || q.AssignedType is not null || q.Number is not null || q.After is not null) return false;
            return !(ctx.TenantScope is { } scope && q.TenantId is { } asked && asked != scope);
        }
    }
}

public sealed class ListDidsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapGet("/", async ([AsParameters] ListDidsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListDids")
            .WithSummary("List numbers by number, each with its assignment. Filters: status, tenant_id, provider, assigned_type, number (digits anywhere in the number, or " +
                         "'+digits' for a prefix). A tenant admin sees only its tenant's numbers. total is exact up to 1,000 matches " +
                         "(total_is_estimate false); above that it is the database's estimate and total_is_estimate is true. Paging: " +
                         "page/page_size (a deep page of the whole list or of one tenant costs the same as the first; with other filters its " +
                         "cost grows with depth), or after=<last number of the previous page> for constant-time deep paging with any " +
                         "filter (page then counts from that number; total ignores after).")
            .Produces<DidPage>()
            .ProducesValidationProblem();
}
