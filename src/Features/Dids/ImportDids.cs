using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Carter;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using nietras.SeparatedValues;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>One number of a JSON import. <c>metadata</c> is the carrier's JSON object (absent or null: {}).</summary>
public sealed record ImportDidItem(string Number, string? Provider = null, JsonElement? Metadata = null);

/// <summary>Body of POST /api/v1/dids/import as application/json: 1 to 10,000 numbers.</summary>
public sealed record ImportDidsRequest(IReadOnlyList<ImportDidItem> Dids) : ICommand<ImportResult>;

/// <summary>POST /api/v1/dids/import as text/csv: the request body, read once while it streams.</summary>
public sealed class ImportDidsCsvCommand(Stream body) : ICommand<ImportResult>
{
    public Stream Body { get; } = body;

    /// <summary>A streamed body cannot be read twice: a retry of the pipeline after it started is refused, not misread as empty.</summary>
    internal bool Started { get; set; }
}

public static class ImportDids
{
    public const int MaxJsonItems = 10_000;
    public const int MaxCsvRowBytes = 65_536;
    public const int MaxProviderLength = 255;

    public sealed class Validator : AbstractValidator<ImportDidsRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Dids).NotEmpty().Must(d => d.Count <= MaxJsonItems)
                .WithMessage($"'dids' must hold 1 to {MaxJsonItems:N0} numbers; import more as text/csv.");
            RuleFor(r => r.Dids).Must(d => d.All(item => item is not null)).When(r => r.Dids is not null)
                .WithMessage("'dids' must not contain null items.");
        }
    }

    /// <summary>Each item is checked here (format, provider, metadata) and, set-wise in the database, for duplicates and
    /// numbers already in the inventory; any problem and nothing is stored.</summary>
    public sealed class JsonHandler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<ImportDidsRequest, ImportResult>
    {
        public async ValueTask<ImportResult> Handle(ImportDidsRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using var importer = await DidImporter.StartAsync(conn, tx, pos => $"dids[{pos}]", ct);
            for (var i = 0; i < r.Dids.Count; i++)
            {
                var item = r.Dids[i];
                var error = CheckNumber(item.Number) ?? CheckProvider(item.Provider)
                    ?? (item.Metadata is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null } ? "metadata must be a JSON object" : null);
                if (error is not null) importer.Errors.Add(i, $"dids[{i}]: {error}");
                else await importer.AddAsync(i, item.Number, NullIfEmpty(item.Provider),
                    item.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null, ct);
            }
            return await CommitAsync(conn, tx, ctx, importer, ct);
        }
    }

    /// <summary>Streams the body: UTF-8 text, header row first (number and provider required, metadata optional, any other
    /// column becomes a metadata key). Rows are checked as they arrive and staged; the body is never held whole.</summary>
    public sealed class CsvHandler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<ImportDidsCsvCommand, ImportResult>
    {
        public async ValueTask<ImportResult> Handle(ImportDidsCsvCommand c, CancellationToken ct)
        {
            if (c.Started) throw Problem.Conflict("The import collided with a concurrent change; send it again.");
            c.Started = true;

            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using var importer = await DidImporter.StartAsync(conn, tx, pos => $"line {pos}", ct);
            var errors = importer.Errors;
            CsvLayout? layout = null;
            try
            {
                using var text = new StreamReader(new CsvGuardStream(c.Body, MaxCsvRowBytes), new UTF8Encoding(false, false),
                    detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
                using var reader = await Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true })
                    .FromAsync(text, ct);
                await foreach (var row in reader)
                {
                    if (layout is null)
                    {
                        layout = CsvLayout.FromHeader(row);
                        continue;
                    }
                    var parsed = CsvLayout.Parse(row, layout);
                    if (parsed.Skip) continue;
                    if (parsed.Error is not null) errors.Add(parsed.Line, $"line {parsed.Line}: {parsed.Error}");
                    else await importer.AddAsync(parsed.Line, parsed.Number!, parsed.Provider, parsed.Metadata, ct);
                }
            }
            catch (CsvFormatException e)
            {
                errors.Add(e.Line, e.Message);
                errors.ThrowIfAny("imported", "Nothing was imported");
            }
            if (layout is null)
                throw Problem.BadRequest("line 1: the body is empty; expected a header row number,provider[,metadata].",
                    new Dictionary<string, object?> { ["imported"] = 0, ["failed"] = 1, ["errors"] = new[] { "line 1: the body is empty" } });
            if (importer.Staged == 0 && errors.Count == 0)
                throw Problem.BadRequest("line 2: the CSV has a header but no rows.",
                    new Dictionary<string, object?> { ["imported"] = 0, ["failed"] = 1, ["errors"] = new[] { "line 2: no rows" } });
            return await CommitAsync(conn, tx, ctx, importer, ct);
        }
    }

    private static async Task<ImportResult> CommitAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx, DidImporter importer, CancellationToken ct)
    {
        var imported = await importer.FinishAsync(ct);
        await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Import, AuditEntity.PhoneNumber, null, null, null,
            new { count = imported, providers = importer.Providers }, ct);
        await tx.CommitAsync(ct);
        ImportMetrics.Stored(imported);
        return new ImportResult(imported, 0, []);
    }

    internal static string? CheckNumber(string number) =>
        DidRules.IsE164(number) ? null : $"Invalid E.164 format: {DidRules.Echo(number)}";

    internal static string? CheckProvider(ReadOnlySpan<char> provider)
    {
        if (provider.Length > MaxProviderLength) return $"provider is longer than {MaxProviderLength} characters";
        foreach (var ch in provider)
            if (char.IsControl(ch)) return "provider must not contain control characters";
        return null;
    }

    internal static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>Where the columns are, from the header row.</summary>
    internal sealed class CsvLayout
    {
        public int Count { get; private init; }
        public int Number { get; private init; }
        public int Provider { get; private init; }
        public int Metadata { get; private init; } = -1;
        public (int Index, string Name)[] Extras { get; private init; } = [];

        public static CsvLayout FromHeader(SepReader.Row row)
        {
            const long line = 1; // the header is the first row
            if (row.Span.IndexOfAny('\0', '\uFFFD') >= 0)
                throw new CsvFormatException(line, $"line {line}: not a CSV header (binary data or invalid UTF-8); expected number,provider[,metadata].");
            var names = new string[row.ColCount];
            for (var i = 0; i < row.ColCount; i++) names[i] = row[i].ToString().Trim();
            if (names.Any(n => n.Length == 0 || n.Length > 100 || n.Any(char.IsControl)))
                throw new CsvFormatException(line, $"line {line}: the header has an empty or invalid column name; expected number,provider[,metadata].");
            var dup = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
                throw new CsvFormatException(line, $"line {line}: the header names column '{DidRules.Echo(dup.Key)}' twice.");
            int Find(string name) => Array.FindIndex(names, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
            var number = Find("number");
            var provider = Find("provider");
            if (number < 0 || provider < 0)
                throw new CsvFormatException(line,
                    $"line {line}: the header must name the columns number and provider (metadata optional); it has {DidRules.Echo(string.Join(",", names))}.");
            var metadata = Find("metadata");
            return new CsvLayout
            {
                Count = names.Length,
                Number = number,
                Provider = provider,
                Metadata = metadata,
                Extras = names.Select((n, i) => (i, n)).Where(x => x.i != number && x.i != provider && x.i != metadata).ToArray(),
            };
        }

        public readonly record struct Parsed(long Line, bool Skip, string? Error, string? Number, string? Provider, string? Metadata);

        public static Parsed Parse(SepReader.Row row, CsvLayout layout)
        {
            var line = row.LineNumberFrom;
            var span = row.Span;
            if (span.IsEmpty) return new Parsed(line, true, null, null, null, null);
            if (span.IndexOfAny('\0', '\uFFFD') >= 0) return Fail(line, "binary data or invalid UTF-8");
            if (row.ColCount != layout.Count) return Fail(line, $"expected {layout.Count} columns, found {row.ColCount}");

            var number = row[layout.Number].ToString();
            if (CheckNumber(number) is { } bad) return Fail(line, bad);
            var providerSpan = row[layout.Provider].Span;
            if (CheckProvider(providerSpan) is { } badProvider) return Fail(line, badProvider);
            var provider = providerSpan.IsEmpty ? null : providerSpan.ToString();

            string? metadata = null;
            JsonObject? merged = null;
            if (layout.Metadata >= 0 && !row[layout.Metadata].Span.IsWhiteSpace())
            {
                var cell = row[layout.Metadata].ToString();
                try
                {
                    if (layout.Extras.Length == 0)
                    {
                        using var doc = JsonDocument.Parse(cell);
                        if (doc.RootElement.ValueKind != JsonValueKind.Object) return Fail(line, "metadata must be a JSON object");
                        metadata = cell;
                    }
                    else if (JsonNode.Parse(cell) is JsonObject o) merged = o;
                    else return Fail(line, "metadata must be a JSON object");
                }
                catch (JsonException)
                {
                    return Fail(line, "metadata is not valid JSON");
                }
            }
            foreach (var (index, name) in layout.Extras)
            {
                var value = row[index].Span;
                if (value.IsEmpty) continue;
                merged ??= new JsonObject();
                merged[name] = value.ToString();
            }
            if (merged is not null) metadata = merged.ToJsonString();
            return new Parsed(line, false, null, number, provider, metadata);
        }

        private static Parsed Fail(long line, string error) => new(line, false, error, null, null, null);
    }
}

public sealed class ImportDidsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var config = app.ServiceProvider.GetRequiredService<IConfiguration>();
        var maxImport = config.GetValue<long?>("Dids:MaxImportBytes") ?? 1L << 30;
        var maxJson = config.GetValue<long?>("Dids:MaxJsonImportBytes") ?? 16L << 20;

        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapPost("/import", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                MediaTypeHeaderValue.TryParse(request.ContentType, out var type);
                ImportResult result;
                if (type?.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase) == true)
                {
                    if (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
                        throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "A CSV import must be UTF-8.");
                    result = await mediator.Send(new ImportDidsCsvCommand(request.Body), ct);
                }
                else if (request.HasJsonContentType())
                {
                    // The endpoint admits large CSV bodies; a JSON body is parsed whole, so it gets the smaller limit.
                    if (request.ContentLength > maxJson)
                        throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
                    if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                        limit.MaxRequestBodySize = maxJson;
                    var body = await request.ReadFromJsonAsync<ImportDidsRequest>(ct)
                        ?? throw Problem.BadRequest("The body must be a JSON object {\"dids\": [...]}.");
                    result = await mediator.Send(body, ct);
                }
                else
                {
                    throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                        "Send application/json ({\"dids\": [...]}) or text/csv (header number,provider[,metadata]).");
                }
                return TypedResults.Created((string?)null, result);
            })
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithMetadata(new RequestSizeLimitAttribute(maxImport))
            .Accepts<ImportDidsRequest>("application/json", "text/csv")
            .AddOpenApiOperationTransformer((op, _, _) =>
            {
                // One Accepts (several would each restrict the content types routing admits); the CSV body is text, not the JSON schema.
                if (op.RequestBody?.Content?.TryGetValue("text/csv", out var csv) == true)
                    csv.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "UTF-8 CSV. Header: number,provider[,metadata][,other columns as metadata keys]. Example row: " +
                                      "+15551234567,twilio,\"{\"\"region\"\":\"\"us-east\"\"}\"",
                    };
                return Task.CompletedTask;
            })
            .WithName("ImportDids")
            .WithSummary("Import numbers into the inventory as UNASSIGNED (platform admin), all or nothing. application/json: " +
                         "{\"dids\": [{number, provider, metadata}]} with 1 to 10,000 items. text/csv: streamed, no item cap, header " +
                         "number,provider[,metadata] (metadata a JSON object cell; other columns become metadata keys). Any problem " +
                         "(E.164 format, duplicate in the import, number already in the inventory, malformed row) stores nothing and " +
                         "answers 400 {imported: 0, failed, errors} naming each item (dids[i]) or CSV line; at most 1,000 errors are " +
                         "listed, failed counts them all. Of two concurrent imports sharing numbers, the second to reach a shared " +
                         "number waits for the first and, if the first commits, is refused with those numbers listed as already in " +
                         "the inventory.")
            .Produces<ImportResult>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }
}
