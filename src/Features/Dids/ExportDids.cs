using System.ComponentModel;
using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>The filters of GET /api/v1/dids/export: the list's, without paging.</summary>
public sealed record ExportDidsQuery(
    [property: FromQuery(Name = "status")] QueryEnum<DidStatus>? Status = null,
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "number"), Description(ListDids.NumberDescription)] string? Number = null,
    [property: FromQuery(Name = RegionParameter.Name), Description(ListDids.DefaultRegionDescription)] string? DefaultRegion = null,
    [property: FromQuery(Name = "provider")] string? Provider = null,
    [property: FromQuery(Name = "assigned_type")] QueryEnum<AssignmentType>? AssignedType = null,
    [property: FromQuery(Name = "country"), Description(ListDids.CountryDescription)] string? Country = null,
    [property: FromQuery(Name = "number_type")] QueryEnum<NumberType>? NumberType = null)
{
    internal DidFilter Filter(string? defaultRegion)
    {
        var (search, exact) = DidFilter.ReadNumber(Number, defaultRegion);
        return new(Status?.Value, TenantId, search, Provider, AssignedType?.Value, Country, NumberType?.Value, exact);
    }
}

/// <summary>Writes the export into <see cref="Response"/> once the filters are checked.</summary>
public sealed record ExportDidsCommand(ExportDidsQuery Query, HttpResponse Response) : ICommand;

public static class ExportDids
{
    public const string Header = "number,status,tenant_id,tenant_slug,provider,country,type,assigned_type,destination,metadata";

    /// <summary>The provider cell: a provider a spreadsheet would read as a formula (starting with = + - or @, after any
    /// apostrophes) is written after one more apostrophe, which a spreadsheet shows as text. The import takes that
    /// apostrophe off again (ImportDids.CsvLayout), so the file still imports back unchanged. The other cells cannot
    /// start so: numbers are '+' and digits only, slugs start with a letter, routes with their type, metadata with '{'.</summary>
    public const string ProviderCell = "CASE WHEN p.provider ~ '^''*[-=+@]' THEN '''' || p.provider ELSE p.provider END";

    public sealed class Validator : AbstractValidator<ExportDidsCommand>
    {
        public Validator(NumberSettings settings)
        {
            this.NumberAndRegion(c => c.Query.Number, c => c.Query.DefaultRegion, settings);
            RuleFor(c => c.Query.Provider).NotEmpty().MaximumLength(255).When(c => c.Query.Provider is not null).OverridePropertyName("provider");
            RuleFor(c => c.Query.Country).MatchesWhole(DidFilterSql.CountryPattern).When(c => c.Query.Country is not null)
                .OverridePropertyName("country")
                .WithMessage("'country' must be an ISO 3166 region (US, GB, DE...) or 001 (you sent '{PropertyValue}').")
                .Must(c => c == "001" || NumberNormalizer.Region(c) is not null).When(c => c.Query.Country is not null)
                .WithMessage("'country' is not a region libphonenumber knows (you sent '{PropertyValue}').");
        }
    }

    /// <summary>PostgreSQL writes the CSV (<c>COPY ... TO STDOUT</c>) and it goes to the response as it comes: the
    /// service never holds more than a buffer of it. COPY takes no bind parameters, so each filter value travels as a
    /// transaction-local setting that the query reads with current_setting: nothing the client sent is written into the
    /// SQL. The filters and the tenant scope are the list's (DidFilterSql).</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, NumberSettings settings) : ICommandHandler<ExportDidsCommand>
    {
        public async ValueTask<Unit> Handle(ExportDidsCommand c, CancellationToken ct)
        {
            var values = new List<(string Name, string Value)>();
            var sql = DidFilterSql.Build(c.Query.Filter(settings.RegionFor(c.Query.DefaultRegion)), ctx.TenantScope, (name, value, type) =>
            {
                values.Add(($"did_export.{name}", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!));
                return $"current_setting('did_export.{name}')::{type}";
            });
            var routed = c.Query.AssignedType is not null;
            var source = routed
                ? "did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id"
                : "phone_numbers p LEFT JOIN did_assignments a ON a.phone_number_id = p.id";

            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            // Sorting a million rows in memory instead of spilling them to disk.
            await conn.ExecuteAsync(new CommandDefinition("SET LOCAL work_mem = '128MB'", transaction: tx, cancellationToken: ct));
            if (values.Count > 0)
                await conn.ExecuteAsync(new CommandDefinition(
                    "SELECT set_config(name, value, true) FROM unnest(@names, @values) AS s(name, value)",
                    new { names = values.Select(v => v.Name).ToArray(), values = values.Select(v => v.Value).ToArray() }, tx, cancellationToken: ct));

            using (var copy = await conn.BeginTextExportAsync($"""
                COPY (
                    SELECT p.number, p.status, p.tenant_id, t.slug, {ProviderCell}, p.country, p.number_type, a.assigned_type,
                           {DestinationLabel.Sql}, p.provider_metadata
                    FROM {source}
                    LEFT JOIN tenants t ON t.id = p.tenant_id
                    {DestinationLabel.Joins}
                    {DidFilterSql.Where(sql.Conditions)}
                    ORDER BY p.number
                ) TO STDOUT (FORMAT csv)
                """, ct))
                await StreamAsync(copy, c.Response, ct);
            await tx.CommitAsync(ct); // the COPY is over once its reader is disposed
            return Unit.Value;
        }

        private static async Task StreamAsync(TextReader copy, HttpResponse response, CancellationToken ct)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/csv; charset=utf-8";
            response.Headers.ContentDisposition = "attachment; filename=\"dids.csv\"";
            await using var csv = new StreamWriter(response.Body, new System.Text.UTF8Encoding(false), 64 * 1024, leaveOpen: true);
            await csv.WriteAsync(Header + "\n");
            var buffer = new char[32 * 1024];
            int read;
            while ((read = await copy.ReadAsync(buffer, ct)) > 0) await csv.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }
}

public sealed class ExportDidsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapGet("/export", async ([AsParameters] ExportDidsQuery query, HttpResponse response, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new ExportDidsCommand(query, response), ct);
                return Results.Empty;
            })
            .RequireAuthorization(Policies.Reader)
            .WithName("ExportDids")
            .WithSummary("Every number the list's filters match, as CSV (" + ExportDids.Header + "), in number order, streamed " +
                         "from the database. The list's filters and access rules: a tenant admin exports only its tenant's numbers. " +
                         "The file imports back unchanged (POST /api/v1/dids/import reads the state columns as the export's own).")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesValidationProblem();
}
