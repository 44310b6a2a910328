using System.ComponentModel;
using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using Did.Infrastructure.Routing;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Dids;

public sealed record ListDidsQuery(
    [property: FromQuery(Name = "status")] QueryEnum<DidStatus>? Status = null,
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "number"), Description("Digits anywhere in the number, or '+digits' for a prefix.")] string? Number = null,
    [property: FromQuery(Name = "provider")] string? Provider = null,
    [property: FromQuery(Name = "assigned_type")] QueryEnum<AssignmentType>? AssignedType = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<BoundedPaged<DidResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("dids",
        ("status", Status), ("tenant_id", TenantId), ("number", Number), ("provider", Provider), ("assigned_type", AssignedType));
}

/// <summary>The sort key of the DID list: numbers are unique.</summary>
public sealed record DidCursor(string Number);

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
            RuleFor(q => q.Provider).NotEmpty().MaximumLength(255).When(q => q.Provider is not null);
        }
    }

    /// <summary>A page of numbers with their routes, and its total, in one round trip. Each filter becomes SQL only when
    /// given, so each query gets the plan of its own index. The page's numbers come from an index that holds them in
    /// number order (a deferred join: only the page's rows are read from the table): the numbers' own indexes, or, with a
    /// route type, the routes' (tenant_id, assigned_type, number) and (assigned_type, number), since numbers of one
    /// route type may be few and scattered among a million. <c>total</c> is summed from the counts of M0009, exact for
    /// every filter; a substring search (<c>number</c>) has no counts, so its matches are counted up to
    /// <c>Dids:SearchCountLimit</c>.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, IConfiguration config)
        : IQueryHandler<ListDidsQuery, BoundedPaged<DidResponse>>
    {
        private readonly int _searchCountLimit = config.GetValue<int?>("Dids:SearchCountLimit") ?? 1_000;

        public async ValueTask<BoundedPaged<DidResponse>> Handle(ListDidsQuery q, CancellationToken ct)
        {
            var (source, number, tenant) = q.AssignedType is null
                ? ("phone_numbers p", "p.number", "p.tenant_id")
                : ("did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id", "a.number", "a.tenant_id");
            var filters = new List<string>(); // on the page's source
            var counted = new List<string>(); // the same filters on the counts (tenant and provider; status and type below)
            var p = new DynamicParameters();
            if (ctx.TenantScope is { } scope) { filters.Add($"{tenant} = @scope"); counted.Add("tenant_id = @scope"); p.Add("scope", scope); }
            if (q.TenantId is { } tenantId) { filters.Add($"{tenant} = @tenantId"); counted.Add("tenant_id = @tenantId"); p.Add("tenantId", tenantId); }
            if (q.Provider is { } provider) { filters.Add("p.provider = @provider"); counted.Add("provider = @provider"); p.Add("provider", provider); }
            if (q.Status is { } status) { filters.Add("p.status = @status"); p.Add("status", status.ToString()); }
            if (q.AssignedType is { } assignedType)
            {
                filters.Add("a.assigned_type = @assignedType");
                p.Add("assignedType", assignedType.ToString());
                // Only ASSIGNED numbers have a route (M0009), so no other status can match.
                if (q.Status is { Value: not DidStatus.Assigned }) filters.Add("false");
            }
            if (q.Number is { } search)
            {
                // '+' only ever starts a number, so "+1555" is a prefix: LIKE '+1555%'; digits alone may be anywhere.
                filters.Add($"{number} LIKE @pattern");
                p.Add("pattern", search.StartsWith('+') ? search + "%" : "%" + search + "%");
            }
            var where = Where(filters);
            if (q.After<DidCursor>() is { } after)
            {
                filters.Add($"{number} > @after");
                p.Add("after", after.Number);
            }
            p.Add("limit", q.Limit());
            p.Add("offset", q.Offset());
            p.Add("countLimit", _searchCountLimit + 1);

            var total = q.Number is null
                ? TotalFromCounts(counted, q.Status?.Value, q.AssignedType?.Value)
                : $"SELECT count(*) FROM (SELECT 1 FROM {source} {where} LIMIT @countLimit) c";
            await using var conn = await db.OpenConnectionAsync(ct);
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                {total};
                SELECT {DidRow.ColumnsOf("p")}, a.id AS route_id, a.assigned_type, a.assigned_id, a.assigned_value,
                       {DestinationLabel.Sql} AS destination
                FROM (SELECT {number} AS number FROM {source} {Where(filters)} ORDER BY {number} LIMIT @limit OFFSET @offset) k
                JOIN phone_numbers p ON p.number = k.number
                LEFT JOIN did_assignments a ON a.phone_number_id = p.id
                {DestinationLabel.Joins}
                ORDER BY p.number;
                """, p, cancellationToken: ct));
            var matches = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<ListRow>()).Select(r => r.ToResponse()).ToList();
            var (items, next) = q.Cut(rows, d => new DidCursor(d.Number));
            var exact = q.Number is null || matches <= _searchCountLimit;
            return new BoundedPaged<DidResponse>(items, exact ? matches : null, exact ? null : matches, q.PageNumber(), q.PageSize, next);
        }

        private static string Where(List<string> filters) => filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);

        /// <summary>The total as a sum over the counts and their pending deltas, read in one statement (one snapshot).
        /// Status is not counted as such (M0009): UNASSIGNED numbers have no tenant, ASSIGNED numbers are the routed
        /// ones, ALLOCATED numbers are the held ones less the routed ones; only ASSIGNED numbers have a route type.</summary>
        private static string TotalFromCounts(List<string> filters, DidStatus? status, AssignmentType? type)
        {
            var (rows, term) = (status, type) switch
            {
                (null, null) => ("assigned_type IS NULL", "n"),
                (DidStatus.Unassigned, null) => ("assigned_type IS NULL AND tenant_id IS NULL", "n"),
                (DidStatus.Allocated, null) => ("tenant_id IS NOT NULL", "CASE WHEN assigned_type IS NULL THEN n ELSE -n END"),
                (DidStatus.Assigned, null) => ("assigned_type IS NOT NULL", "n"),
                (null or DidStatus.Assigned, not null) => ("assigned_type = @assignedType", "n"),
                _ => ("false", "n"),
            };
            return $"""
                SELECT coalesce(sum({term}), 0)::bigint FROM (
                    SELECT tenant_id, provider, assigned_type, n FROM phone_number_counts
                    UNION ALL
                    SELECT tenant_id, provider, assigned_type, n FROM phone_number_count_deltas) c
                {Where([.. filters, rows])}
                """;
        }
    }

    /// <summary>A number with its route, if it has one.</summary>
    private sealed record ListRow(
        Guid Id, string Number, string Status, Guid? TenantId, string? Provider, string ProviderMetadata, DateTime CreatedAt, DateTime UpdatedAt,
        Guid? RouteId, string? AssignedType, Guid? AssignedId, string? AssignedValue, string? Destination)
    {
        public DidResponse ToResponse()
        {
            var route = RouteId is { } id
                ? new DidAssignmentSummary(id, ApiJson.Parse<AssignmentType>(AssignedType!), AssignedId, AssignedValue, Destination!)
                : null;
            return new DidRow(Id, Number, Status, TenantId, Provider, ProviderMetadata, CreatedAt, UpdatedAt).ToResponse(route);
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
            .WithSummary("List numbers by number, each with its route. Filters: status, tenant_id, provider, assigned_type, number (digits anywhere " +
                         "in the number, or '+digits' for a prefix). A tenant admin sees only its tenant's numbers. total is exact for every filter; " +
                         "with number it is exact up to 1,000 matches, beyond that total is null and total_at_least is given. " +
                         "Follow next_cursor (cursor=) to page at any depth; page= reaches the first 10,000 numbers.")
            .Produces<BoundedPaged<DidResponse>>()
            .ProducesValidationProblem();
}
