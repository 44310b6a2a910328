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
    [property: FromQuery(Name = "number"), Description(ListDids.NumberDescription)] string? Number = null,
    [property: FromQuery(Name = RegionParameter.Name), Description(ListDids.DefaultRegionDescription)] string? DefaultRegion = null,
    [property: FromQuery(Name = "provider")] string? Provider = null,
    [property: FromQuery(Name = "assigned_type")] QueryEnum<AssignmentType>? AssignedType = null,
    [property: FromQuery(Name = "country"), Description(ListDids.CountryDescription)] string? Country = null,
    [property: FromQuery(Name = "number_type")] QueryEnum<NumberType>? NumberType = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<BoundedPaged<DidResponse>>, IPaged
{
    /// <summary>Without default_region: it changes only a whole number, which matches one number, so no cursor follows it.</summary>
    public string CursorScope() => PageCursor.Scope("dids",
        ("status", Status), ("tenant_id", TenantId), ("number", Number), ("provider", Provider), ("assigned_type", AssignedType),
        ("country", Country?.ToUpperInvariant()), ("number_type", NumberType));

    internal DidFilter Filter(string? defaultRegion)
    {
        var (search, exact) = DidFilter.ReadNumber(Number, defaultRegion);
        return new(Status?.Value, TenantId, search, Provider, AssignedType?.Value, Country, NumberType?.Value, exact);
    }
}

/// <summary>The sort key of the DID list: numbers are unique.</summary>
public sealed record DidCursor(string Number);

public static class ListDids
{
    public const string NumberPattern = DidFilterSql.NumberPattern;
    public const string NumberDescription =
        "Digits anywhere in the number, or '+digits' for a prefix; or a whole number in any other written form (+1 (212) 555-0100; a national " +
        "form such as (212) 555-0100 is read with default_region, else Dids__DefaultRegion), which matches that number only. A whole number " +
        "libphonenumber refuses is a 400 with its reason (INVALID_COUNTRY_CODE, TOO_SHORT, ...).";
    public const string DefaultRegionDescription =
        RegionParameter.Description + " Reads only a whole number given as number; digits and '+digits' are searched for as written.";
    public const string CountryDescription = "ISO 3166 region of the numbers (US, GB, DE...), or 001 for non-geographic services, as libphonenumber assigns it.";

    public sealed class Validator : AbstractValidator<ListDidsQuery>
    {
        public Validator(NumberSettings settings)
        {
            this.ValidatePaging();
            this.NumberAndRegion(q => q.Number, q => q.DefaultRegion, settings);
            RuleFor(q => q.Provider).NotEmpty().MaximumLength(255).When(q => q.Provider is not null);
            RuleFor(q => q.Country).MatchesWhole(DidFilterSql.CountryPattern).When(q => q.Country is not null)
                .WithMessage("'country' must be an ISO 3166 region (US, GB, DE...) or 001 (you sent '{PropertyValue}').")
                .Must(c => c == "001" || NumberNormalizer.Region(c) is not null).When(q => q.Country is not null)
                .WithMessage("'country' is not a region libphonenumber knows (you sent '{PropertyValue}').");
        }
    }

    /// <summary>A page of numbers with their routes, and its total, in one round trip. Each filter becomes SQL only when
    /// given, so each query gets the plan of its own index. The page's numbers come from an index that holds them in
    /// number order (a deferred join: only the page's rows are read from the table): the numbers' own indexes, or, with a
    /// route type, the routes' (tenant_id, assigned_type, number) and (assigned_type, number), since numbers of one
    /// route type may be few and scattered among a million. <c>total</c> is summed from the counts of M0009, exact for
    /// every filter; a substring search (<c>number</c>) has no counts, so its matches are counted up to
    /// <c>Dids:SearchCountLimit</c>.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, IConfiguration config, NumberSettings settings)
        : IQueryHandler<ListDidsQuery, BoundedPaged<DidResponse>>
    {
        private readonly int _searchCountLimit = config.GetValue<int?>("Dids:SearchCountLimit") ?? 1_000;

        public async ValueTask<BoundedPaged<DidResponse>> Handle(ListDidsQuery q, CancellationToken ct)
        {
            var p = new DynamicParameters();
            var sql = DidFilterSql.Build(q.Filter(settings.RegionFor(q.DefaultRegion)), ctx.TenantScope, (name, value, _) =>
            {
                p.Add(name, value);
                return "@" + name;
            });
            var (source, number) = (sql.Source, sql.NumberColumn);
            var where = DidFilterSql.Where(sql.Conditions);
            var page = new List<string>(sql.Conditions);
            if (q.After<DidCursor>() is { } after)
            {
                page.Add($"{number} > @after");
                p.Add("after", after.Number);
            }
            p.Add("limit", q.Limit());
            p.Add("offset", q.Offset());
            p.Add("countLimit", _searchCountLimit + 1);

            var total = q.Number is null
                ? TotalFromCounts(sql.Counted, q.Status?.Value, q.AssignedType?.Value)
                : $"SELECT count(*) FROM (SELECT 1 FROM {source} {where} LIMIT @countLimit) c";
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await PageSnapshot.BeginAsync(conn, ct);
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                {total};
                SELECT {DidRow.ColumnsOf("p")}, a.id AS route_id, a.assigned_type, a.assigned_id, a.assigned_value,
                       {DestinationLabel.Sql} AS destination
                FROM (SELECT {number} AS number FROM {source} {DidFilterSql.Where(page)} ORDER BY {number} LIMIT @limit OFFSET @offset) k
                JOIN phone_numbers p ON p.number = k.number
                LEFT JOIN did_assignments a ON a.phone_number_id = p.id
                {DestinationLabel.Joins}
                ORDER BY p.number;
                """, p, tx, cancellationToken: ct));
            var matches = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<ListRow>()).Select(r => r.ToResponse()).ToList();
            var (items, next) = q.Cut(rows, d => new DidCursor(d.Number));
            var exact = q.Number is null || matches <= _searchCountLimit;
            return new BoundedPaged<DidResponse>(items, exact ? matches : null, exact ? null : matches, q.PageNumber(), q.PageSize, next);
        }

        /// <summary>The total as a sum over the counts and their pending deltas, read in one statement (one snapshot).
        /// Status is not counted as such (M0009): UNASSIGNED numbers have no tenant and are not quarantined, QUARANTINED
        /// ones have no tenant and are (M0031), ASSIGNED numbers are the routed ones, ALLOCATED numbers are the held ones
        /// less the routed ones; only ASSIGNED numbers have a route type.</summary>
        private static string TotalFromCounts(List<string> filters, DidStatus? status, AssignmentType? type)
        {
            var (rows, term) = (status, type) switch
            {
                (null, null) => ("assigned_type IS NULL", "n"),
                (DidStatus.Unassigned, null) => ("assigned_type IS NULL AND tenant_id IS NULL AND NOT quarantined", "n"),
                (DidStatus.Quarantined, null) => ("assigned_type IS NULL AND quarantined", "n"),
                (DidStatus.Allocated, null) => ("tenant_id IS NOT NULL", "CASE WHEN assigned_type IS NULL THEN n ELSE -n END"),
                (DidStatus.Assigned, null) => ("assigned_type IS NOT NULL", "n"),
                (null or DidStatus.Assigned, not null) => ("assigned_type = @assigned_type", "n"),
                _ => ("false", "n"),
            };
            return $"""
                SELECT coalesce(sum({term}), 0)::bigint FROM (
                    SELECT tenant_id, provider, country, number_type, assigned_type, quarantined, n FROM phone_number_counts
                    UNION ALL
                    SELECT tenant_id, provider, country, number_type, assigned_type, quarantined, n FROM phone_number_count_deltas) c
                {DidFilterSql.Where([.. filters, rows])}
                """;
        }
    }

    /// <summary>A number with its route, if it has one.</summary>
    private sealed record ListRow(
        Guid Id, string Number, string Status, Guid? TenantId, string? Provider, string ProviderMetadata, DateTime CreatedAt, DateTime UpdatedAt,
        string? Country, string? NumberType, DateTime? QuarantineUntil, Guid? QuarantinedFromTenantId, Guid? RouteId, string? AssignedType, Guid? AssignedId, string? AssignedValue, string? Destination)
    {
        public DidResponse ToResponse()
        {
            var route = RouteId is { } id
                ? new DidAssignmentSummary(id, ApiJson.Parse<AssignmentType>(AssignedType!), AssignedId, AssignedValue, Destination!)
                : null;
            return new DidRow(Id, Number, Status, TenantId, Provider, ProviderMetadata, CreatedAt, UpdatedAt, Country, NumberType, QuarantineUntil,
                QuarantinedFromTenantId).ToResponse(route);
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
            .WithSummary("List numbers by number, each with its route. Filters: status, tenant_id, provider, assigned_type, country, number_type, number (digits anywhere " +
                         "in the number, '+digits' for a prefix, or a whole number in any written form, a national one read with default_region, " +
                         "else Dids__DefaultRegion). A tenant admin sees only its tenant's numbers. total is exact for every filter; " +
                         "with number it is exact up to 1,000 matches, beyond that total is null and total_at_least is given. " +
                         "Follow next_cursor (cursor=) to page at any depth; page= reaches pages that start at an offset of up to 10,000 numbers.")
            .Produces<BoundedPaged<DidResponse>>()
            .ProducesValidationProblem();
}
