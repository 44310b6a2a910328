using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Carter;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Validation;
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

/// <summary>Body of POST /api/v1/dids/import as application/json: either <c>dids</c>, 1 to 10,000 numbers in any written
/// form, or <c>range</c>, up to 100,000 consecutive numbers with one <c>provider</c> and <c>metadata</c>.</summary>
public sealed record ImportDidsRequest(
    IReadOnlyList<ImportDidItem>? Dids = null, NumberRange? Range = null, string? Provider = null, JsonElement? Metadata = null)
    : ICommand<ImportResult>
{
    /// <summary>From the query; internal, so a body naming "options" is refused
    /// (docs/decisions.md, "A value is read as sent, or refused").</summary>
    internal ImportOptions Options { get; init; } = ImportOptions.Default;
}

/// <summary>POST /api/v1/dids/import as text/csv: the request body, read once while it streams.</summary>
public sealed class ImportDidsCsvCommand(Stream body, ImportOptions options) : ICommand<ImportResult>
{
    public Stream Body { get; } = body;
    public ImportOptions Options { get; } = options;

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
            RuleFor(r => r).Must(r => r.Dids is null != r.Range is null).OverridePropertyName("dids")
                .WithMessage("Send either 'dids' (a list) or 'range' ({\"from\": ..., \"to\": ...}), not both and not neither.");
            RuleFor(r => r.Dids).Must(d => d!.Count is > 0 and <= MaxJsonItems).When(r => r.Dids is not null)
                .WithMessage($"'dids' must hold 1 to {MaxJsonItems:N0} numbers; import more as text/csv or as a range.");
            RuleFor(r => r.Dids).Must(d => d!.All(item => item is not null)).When(r => r.Dids is not null)
                .WithMessage("'dids' must not contain null items.");
            RuleFor(r => r.Provider).Null().When(r => r.Range is null)
                .WithMessage("'provider' goes with 'range'; give each of 'dids' its own.");
            RuleFor(r => r.Metadata).Null().When(r => r.Range is null)
                .WithMessage("'metadata' goes with 'range'; give each of 'dids' its own.");
        }
    }

    /// <summary>Each item is read here (number in any written form, provider, metadata) and, set-wise in the database,
    /// checked for duplicates and numbers already in the inventory; any problem and nothing is stored. A range is
    /// expanded here and each of its numbers checked like an item.</summary>
    public sealed class JsonHandler(NpgsqlDataSource db, RequestContext ctx, NumberSettings settings) : ICommandHandler<ImportDidsRequest, ImportResult>
    {
        public async ValueTask<ImportResult> Handle(ImportDidsRequest r, CancellationToken ct)
        {
            var region = settings.RegionFor(r.Options.DefaultRegion);
            var range = r.Range is null ? null : NumberRanges.Expand(r.Range, region);
            if (range is not null && CheckProvider(r.Provider) is { } badProvider) throw Problem.Invalid("provider", badProvider);
            if (range is not null && CheckMetadata(r.Metadata) is { } badMetadata) throw Problem.Invalid("metadata", badMetadata);
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using var importer = await DidImporter.StartAsync(conn, tx, pos => range is null ? $"dids[{pos}]" : $"range[{pos}]", ct);
            if (range is not null)
            {
                var metadata = r.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null;
                for (var i = 0; i < range.Length; i++)
                {
                    if (NumberNormalizer.TryNormalize(range[i], null, out var number, out var reason))
                        await importer.AddAsync(i, number, NullIfEmpty(r.Provider), metadata, ct);
                    else importer.Errors.Add(i, $"range[{i}]", NumberNormalizer.Describe(range[i], reason, null));
                }
                return await CommitAsync(conn, tx, ctx, importer, r.Options, r.Range, [], ct);
            }
            for (var i = 0; i < r.Dids!.Count; i++)
            {
                var item = r.Dids[i];
                List<string>? problems = null;
                if (!NumberNormalizer.TryNormalize(item.Number, region, out var number, out var reason))
                    (problems ??= []).Add(NumberNormalizer.Describe(item.Number, reason, region));
                if (CheckProvider(item.Provider) is { } itemProvider) (problems ??= []).Add(itemProvider);
                if (CheckMetadata(item.Metadata) is { } itemMetadata) (problems ??= []).Add(itemMetadata);
                if (problems is not null) importer.Errors.Add(i, $"dids[{i}]", problems);
                else await importer.AddAsync(i, number, NullIfEmpty(item.Provider),
                    item.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null, ct);
            }
            return await CommitAsync(conn, tx, ctx, importer, r.Options, null, [], ct);
        }
    }

    /// <summary>Streams the body: UTF-8 text, header row first (number and provider required, metadata and default_region
    /// optional; the other columns an export writes are read as its own, not stored, and named in the answer; any other
    /// column becomes a metadata key). Rows are checked as they arrive and staged; the body is never held whole.</summary>
    public sealed class CsvHandler(NpgsqlDataSource db, RequestContext ctx, NumberSettings settings) : ICommandHandler<ImportDidsCsvCommand, ImportResult>
    {
        public async ValueTask<ImportResult> Handle(ImportDidsCsvCommand c, CancellationToken ct)
        {
            if (c.Started) throw Problem.Conflict("The import collided with a concurrent change; send it again.");
            c.Started = true;

            var region = settings.RegionFor(c.Options.DefaultRegion);
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
                    var parsed = CsvLayout.Parse(row, layout, region);
                    if (parsed.Skip) continue;
                    if (parsed.Errors is not null) errors.Add(parsed.Line, $"line {parsed.Line}", parsed.Errors);
                    else await importer.AddAsync(parsed.Line, parsed.Number, parsed.Provider, parsed.Metadata, ct);
                }
            }
            catch (CsvFormatException e)
            {
                errors.Add(e.Line, $"line {e.Line}", e.Problem);
                errors.ThrowIfAny("imported", "Nothing was imported");
            }
            if (layout is null)
                throw Problem.BadRequest("line 1: the body is empty; expected a header row number,provider[,metadata].",
                    new Dictionary<string, object?> { ["imported"] = 0, ["failed"] = 1, ["errors"] = new Dictionary<string, string[]> { ["line 1"] = ["the body is empty"] } });
            if (importer.Staged == 0 && errors.Count == 0)
                throw Problem.BadRequest("line 2: the CSV has a header but no rows.",
                    new Dictionary<string, object?> { ["imported"] = 0, ["failed"] = 1, ["errors"] = new Dictionary<string, string[]> { ["line 2"] = ["no rows"] } });
            return await CommitAsync(conn, tx, ctx, importer, c.Options, null, layout.Ignored, ct);
        }
    }

    /// <summary>Stores the staged rows and writes the import's audit row, or, with validate_only, runs every check and
    /// rolls back. The audit row carries the range of the ids the import gave: a number's history finds its import by it.</summary>
    /// <param name="ignored">The CSV columns read as an export's own and not stored; the answer names them.</param>
    private static async Task<ImportResult> CommitAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RequestContext ctx, DidImporter importer,
        ImportOptions options, NumberRange? range, IReadOnlyList<string> ignored, CancellationToken ct)
    {
        var outcome = await importer.FinishAsync(options.OnConflict, ct);
        if (options.ValidateOnly)
        {
            await tx.RollbackAsync(ct);
            return new ImportResult(outcome.Imported, outcome.Skipped, 0, outcome.SkippedListed, true, ignored);
        }
        var after = new Dictionary<string, object?>
        {
            ["count"] = outcome.Imported, ["providers"] = importer.Providers, ["first_id"] = outcome.FirstId, ["last_id"] = outcome.LastId,
        };
        if (options.OnConflict == OnConflict.Skip) after["skipped"] = outcome.Skipped;
        if (range is not null) after["range"] = range;
        await AuditLog.WriteAtTransactionStartAsync(conn, tx, ctx, AuditAction.Import, AuditEntity.PhoneNumber, null, null, null, after, ct);
        await tx.CommitAsync(ct);
        ImportMetrics.Stored(outcome.Imported);
        return new ImportResult(outcome.Imported, outcome.Skipped, 0, outcome.SkippedListed, false, ignored);
    }

    internal static string? CheckMetadata(JsonElement? metadata) => metadata switch
    {
        { ValueKind: JsonValueKind.Object } m => CheckStorable(m),
        { ValueKind: not JsonValueKind.Null } m => NotAnObject(m.GetRawText()),
        _ => null,
    };

    /// <summary>The most bytes a number's metadata may take as PostgreSQL writes it (jsonb's text, which the export writes):
    /// with every quote doubled by CSV quoting, an exported row stays well within <see cref="MaxCsvRowBytes"/>, so the
    /// export imports back. M0039 holds every stored number to it.</summary>
    public const int MaxMetadataBytes = 16_384;

    /// <summary>Why PostgreSQL could not store a metadata object, or could not give it back within
    /// <see cref="MaxMetadataBytes"/>: U+0000 (jsonb has no place for it), an unpaired surrogate escape, or a size as stored
    /// over the limit. A number's size is counted as jsonb writes it, without exponent (1e300 is 301 digits), so a short
    /// literal cannot hide a large value, nor one numeric cannot hold.</summary>
    internal static string? CheckStorable(JsonElement metadata)
    {
        long size;
        try
        {
            size = StoredSize(metadata);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to unescape an unpaired surrogate (\ud800) into a string; PostgreSQL refuses it too.
            return "metadata must be valid Unicode: it has an unpaired surrogate escape (\\uD800 to \\uDFFF)";
        }
        catch (NulInMetadata)
        {
            return "metadata must not contain U+0000 (\\u0000): PostgreSQL cannot store it in JSON";
        }
        return size > MaxMetadataBytes ? $"metadata is larger than {MaxMetadataBytes:N0} bytes of JSON as stored (numbers written out in full)" : null;
    }

    /// <summary>Ends the walk of <see cref="StoredSize"/> at the first U+0000.</summary>
    private sealed class NulInMetadata : Exception;

    /// <summary>An upper bound of the bytes of jsonb's text of <paramref name="e"/> (exact but for numbers with leading
    /// zeros after an exponent shift), or any value past <see cref="MaxMetadataBytes"/> once it is known to be over it:
    /// the walk stops there, so no count can overflow.</summary>
    private static long StoredSize(JsonElement e)
    {
        const long cap = MaxMetadataBytes + 1L;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
            {
                long size = 2, n = 0; // {"k": v, "k": v}
                foreach (var p in e.EnumerateObject())
                {
                    size += StringSize(p.Name) + 2 + StoredSize(p.Value) + (n++ > 0 ? 2 : 0);
                    if (size > cap) return cap;
                }
                return size;
            }
            case JsonValueKind.Array:
            {
                long size = 2, n = 0; // [v, v]
                foreach (var item in e.EnumerateArray())
                {
                    size += StoredSize(item) + (n++ > 0 ? 2 : 0);
                    if (size > cap) return cap;
                }
                return size;
            }
            case JsonValueKind.String:
                return StringSize(e.GetString()!);
            case JsonValueKind.Number:
                return NumberSize(e.GetRawText(), cap);
            default:
                return e.GetRawText().Length; // true, false, null
        }
    }

    /// <summary>A string as jsonb writes it: quoted, with " \ and control characters escaped, the rest as UTF-8.</summary>
    private static long StringSize(string s)
    {
        long size = 2;
        foreach (var c in s)
        {
            if (c == '\0') throw new NulInMetadata();
            size += c switch
            {
                '"' or '\\' or '\b' or '\f' or '\n' or '\r' or '\t' => 2,
                < ' ' => 6,
                < '\u0080' => 1,
                < '\u0800' => 2,
                _ when char.IsSurrogate(c) => 2, // half of a pair: four bytes in all
                _ => 3,
            };
        }
        return size;
    }

    /// <summary>A JSON number as numeric writes it: sign, the integer digits (at least one), and the fraction digits the
    /// literal has beyond the exponent, never in exponent form.</summary>
    private static long NumberSize(string literal, long cap)
    {
        var span = literal.AsSpan();
        var sign = span[0] == '-' ? 1 : 0;
        var e = span.IndexOfAny('e', 'E');
        var mantissa = e < 0 ? span[sign..] : span[sign..e];
        long exponent = 0;
        if (e >= 0 && !long.TryParse(span[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out exponent))
            return cap; // more exponent digits than a long holds: far too large either way
        exponent = Math.Clamp(exponent, -cap, cap);
        var point = mantissa.IndexOf('.');
        long integerDigits = point < 0 ? mantissa.Length : point;
        long fractionDigits = point < 0 ? 0 : mantissa.Length - point - 1;
        var integer = Math.Max(1, integerDigits + exponent);
        var fraction = Math.Max(0, fractionDigits - exponent);
        return sign + integer + (fraction > 0 ? 1 + fraction : 0);
    }

    /// <summary>The error of a metadata value that is JSON but not an object, echoing what was sent.</summary>
    internal static string NotAnObject(string sent) => $"metadata must be a JSON object (you sent '{EchoedValue.Of(sent)}')";

    internal static string? CheckProvider(string? provider) => CheckProvider(provider.AsSpan());

    internal static string? CheckProvider(ReadOnlySpan<char> provider)
    {
        if (provider.Length > MaxProviderLength) return $"provider is longer than {MaxProviderLength} characters";
        for (var i = 0; i < provider.Length; i++)
            if (char.IsControl(provider[i]))
                return $"provider must not contain control characters: U+{(int)provider[i]:X4} at position {i + 1} " +
                       $"(you sent '{EchoedValue.Of(provider)}')";
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
        public int Region { get; private init; } = -1;
        public (int Index, string Name)[] Extras { get; private init; } = [];

        /// <summary>The header's <see cref="ExportColumns"/>, as it writes them and in its order: read, not stored.</summary>
        public string[] Ignored { get; private init; } = [];

        /// <summary>The header has a column only an export writes: the provider cells are the export's (ExportDids.ProviderCell).</summary>
        public bool FromExport { get; private init; }

        /// <summary>Columns an export writes that describe a number's state, not its carrier: read as the export's, not
        /// stored as metadata keys, so an export imports back unchanged. Country and type follow from the number.</summary>
        public static readonly string[] ExportColumns = ["status", "tenant_id", "tenant_slug", "country", "type", "assigned_type", "destination"];

        public static CsvLayout FromHeader(SepReader.Row row)
        {
            const long line = 1; // the header is the first row
            if (row.Span.IndexOfAny('\0', '\uFFFD') >= 0)
                throw new CsvFormatException(line, "not a CSV header (binary data or invalid UTF-8); expected number,provider[,metadata].");
            var names = new string[row.ColCount];
            for (var i = 0; i < row.ColCount; i++) names[i] = row[i].ToString().Trim();
            if (names.Any(n => n.Length == 0 || n.Length > 100 || n.Any(char.IsControl)))
                throw new CsvFormatException(line, "the header has an empty or invalid column name; expected number,provider[,metadata].");
            var dup = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
                throw new CsvFormatException(line, $"the header names column '{EchoedValue.Of(dup.Key)}' twice.");
            int Find(string name) => Array.FindIndex(names, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
            var number = Find("number");
            var provider = Find("provider");
            if (number < 0 || provider < 0)
                throw new CsvFormatException(line,
                    $"the header must name the columns number and provider (metadata optional); it has {EchoedValue.Of(string.Join(",", names))}.");
            var metadata = Find("metadata");
            var region = Find("default_region");
            return new CsvLayout
            {
                Count = names.Length,
                Number = number,
                Provider = provider,
                Metadata = metadata,
                Region = region,
                FromExport = names.Any(n => ExportColumns.Contains(n, StringComparer.OrdinalIgnoreCase)),
                Ignored = [.. names.Where(n => ExportColumns.Contains(n, StringComparer.OrdinalIgnoreCase))],
                Extras = names.Select((n, i) => (i, n))
                    .Where(x => x.i != number && x.i != provider && x.i != metadata && x.i != region
                                && !ExportColumns.Contains(x.n, StringComparer.OrdinalIgnoreCase))
                    .ToArray(),
            };
        }

        /// <summary>A data line: skipped (empty), refused with every problem found in it, or read.</summary>
        public readonly record struct Parsed(long Line, bool Skip, IReadOnlyList<string>? Errors, NormalizedNumber Number, string? Provider,
            string? Metadata);

        /// <param name="defaultRegion">The request's region; a row's default_region cell, when the CSV has one, wins.</param>
        /// <remarks>A line that is not CSV of the header's shape, or whose region is unknown, is refused for that alone;
        /// otherwise its number, provider and metadata are each checked and every problem reported.</remarks>
        public static Parsed Parse(SepReader.Row row, CsvLayout layout, string? defaultRegion)
        {
            var line = row.LineNumberFrom;
            var span = row.Span;
            if (span.IsEmpty) return new Parsed(line, true, null, default, null, null);
            if (span.IndexOfAny('\0', '\uFFFD') >= 0) return Fail(line, "binary data or invalid UTF-8");
            if (row.ColCount != layout.Count) return Fail(line, $"expected {layout.Count} columns, found {row.ColCount}");

            var region = defaultRegion;
            if (layout.Region >= 0 && row[layout.Region].Span is { IsEmpty: false } regionCell)
            {
                region = NumberNormalizer.Region(regionCell.ToString().Trim());
                if (region is null) return Fail(line, $"default_region '{EchoedValue.Of(regionCell)}' is not a region libphonenumber knows (US, GB, DE...)");
            }
            List<string>? problems = null;
            var written = row[layout.Number].ToString();
            if (!NumberNormalizer.TryNormalize(written, region, out var number, out var reason))
                (problems ??= []).Add(NumberNormalizer.Describe(written, reason, region));
            var providerSpan = row[layout.Provider].Span;
            if (layout.FromExport && IsEscapedFormula(providerSpan)) providerSpan = providerSpan[1..];
            if (CheckProvider(providerSpan) is { } badProvider) (problems ??= []).Add(badProvider);
            var provider = providerSpan.IsEmpty ? null : providerSpan.ToString();

            string? metadata = null;
            JsonObject? merged = null;
            if (layout.Metadata >= 0 && !row[layout.Metadata].Span.IsWhiteSpace())
            {
                var cell = row[layout.Metadata].ToString();
                try
                {
                    // Checked before any merge: writing out a string with an unpaired surrogate escape throws.
                    using var doc = JsonDocument.Parse(cell, MetadataJson);
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) (problems ??= []).Add(NotAnObject(cell));
                    else if (CheckStorable(doc.RootElement) is { } unstorable) (problems ??= []).Add(unstorable);
                    else if (layout.Extras.Length == 0) metadata = cell;
                    else merged = JsonObject.Create(doc.RootElement.Clone());
                }
                catch (JsonException e) when (ApiJson.DuplicateProperty(e.Message) is { } key)
                {
                    (problems ??= []).Add($"metadata names the key '{EchoedValue.Of(key)}' twice");
                }
                catch (JsonException)
                {
                    (problems ??= []).Add("metadata is not valid JSON");
                }
            }
            if (problems is not null) return new Parsed(line, false, problems, default, null, null);
            foreach (var (index, name) in layout.Extras)
            {
                var value = row[index].Span;
                if (value.IsEmpty) continue;
                merged ??= new JsonObject();
                merged[name] = value.ToString();
            }
            if (merged is not null)
            {
                metadata = merged.ToJsonString();
                using var doc = JsonDocument.Parse(metadata);
                if (CheckStorable(doc.RootElement) is { } unstorable) return Fail(line, unstorable);
            }
            return new Parsed(line, false, null, number, provider, metadata);
        }

        private static Parsed Fail(long line, string error) => new(line, false, [error], default, null, null);

        /// <summary>A metadata cell is one JSON object, each key once: stored as jsonb, a key sent twice would keep only
        /// its last value, and merged with extra columns it cannot be read at all.</summary>
        private static readonly JsonDocumentOptions MetadataJson = new() { AllowDuplicateProperties = false };

        /// <summary>An apostrophe the export put before a provider a spreadsheet would read as a formula: one apostrophe,
        /// then any more, then = + - or @.</summary>
        private static bool IsEscapedFormula(ReadOnlySpan<char> cell)
        {
            if (cell.IsEmpty || cell[0] != '\'') return false;
            var rest = cell[1..].TrimStart('\'');
            return !rest.IsEmpty && rest[0] is '=' or '+' or '-' or '@';
        }
    }
}

public sealed class ImportDidsModule : ICarterModule
{
    private const string DefaultRegionDescription =
        "ISO 3166 region (US, GB, DE...) that reads numbers written without '+'; default Dids__DefaultRegion, else only '+' forms. " +
        "A CSV's default_region column wins for its row.";
    private const string OnConflictDescription = "error (default): a number already in the inventory refuses the import; skip: it is counted and listed as skipped.";

    private const string Contract =
        "Numbers may be written in any form libphonenumber reads (+1 212 555 0100, (212) 555-0100 with default_region=US, " +
        "00 44 20 7946 0000 with default_region=DE); they are stored in E.164 with their country and number_type. application/json: " +
        "{\"dids\": [{number, provider, metadata}]} with 1 to 10,000 items, or {\"range\": {\"from\", \"to\"}, provider, metadata} " +
        "with up to 100,000 numbers of the same length and country. text/csv: streamed, no item cap, header " +
        "number,provider[,metadata][,default_region] (metadata a JSON object cell; the state columns an export writes, status, " +
        "tenant_id, tenant_slug, country, type, assigned_type and destination, are read as its own, not stored, and named in the " +
        "answer's ignored_columns; other columns become metadata keys). A number's metadata is at most 16,384 bytes as stored (numbers written out in full), " +
        "without \\u0000. Any problem (a number libphonenumber refuses, with its reason and the form " +
        "given, a duplicate in the import, a number already in the inventory unless on_conflict=skip, a malformed row) stores " +
        "nothing and answers 400 {imported: 0, failed, errors: {field: [messages]}} keyed by each item (dids[i], range[i]) or " +
        "CSV line (line 7); every problem of an item is listed (the first 1,000 problems), failed counts the items refused. on_conflict=skip imports the rest and answers skipped and skipped_numbers.";

    private static ImportOptions Options(string? defaultRegion, string? onConflict, bool validateOnly)
    {
        var region = RegionParameter.IsUnknown(defaultRegion)
            ? throw Problem.Invalid(RegionParameter.Name, RegionParameter.Refusal(defaultRegion))
            : NumberNormalizer.Region(defaultRegion);
        // Read as documented and nothing else, as every other query value: a spelling taken once would have to stay taken.
        var mode = onConflict switch
        {
            null or "error" => OnConflict.Error,
            "skip" => OnConflict.Skip,
            _ => throw Problem.Invalid("on_conflict",
                $"'on_conflict' must be error or skip, written exactly so in lowercase (you sent '{EchoedValue.Of(onConflict)}')."),
        };
        return new ImportOptions(region, mode, validateOnly);
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var config = app.ServiceProvider.GetRequiredService<IConfiguration>();
        var maxImport = config.GetValue<long?>("Dids:MaxImportBytes") ?? 1L << 30;
        var maxJson = config.GetValue<long?>("Dids:MaxJsonImportBytes") ?? 16L << 20;

        async Task<ImportResult> ImportAsync(HttpRequest request, IMediator mediator, ImportOptions options, CancellationToken ct)
        {
            MediaTypeHeaderValue.TryParse(request.ContentType, out var type);
            if (type?.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase) == true)
            {
                if (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
                    throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "A CSV import must be UTF-8.");
                return await mediator.Send(new ImportDidsCsvCommand(request.Body, options), ct);
            }
            if (request.HasJsonContentType())
            {
                // The endpoint admits large CSV bodies; a JSON body is parsed whole, so it gets the smaller limit.
                if (request.ContentLength > maxJson)
                    throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
                if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                    limit.MaxRequestBodySize = maxJson;
                var body = await request.ReadFromJsonAsync<ImportDidsRequest>(ct)
                    ?? throw Problem.BadRequest("The body must be a JSON object {\"dids\": [...]}.");
                return await mediator.Send(body with { Options = options }, ct);
            }
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send application/json ({\"dids\": [...]}) or text/csv (header number,provider[,metadata]).");
        }

        var dids = app.MapApiGroup("/api/v1/dids", "DIDs");
        Describe(dids.MapPost("/import", async (HttpRequest request, IMediator mediator, CancellationToken ct,
                [FromQuery(Name = "default_region"), Description(DefaultRegionDescription)] string? defaultRegion = null,
                [FromQuery(Name = "on_conflict"), Description(OnConflictDescription), AllowedValues("error", "skip")] string? onConflict = null) =>
                TypedResults.Created((string?)null, await ImportAsync(request, mediator, Options(defaultRegion, onConflict, false), ct))), maxImport)
            .WithRetiredQueryParameter("validate_only",
                "Validating an import is its own operation: POST /api/v1/dids/import/validate, with the same body and parameters.")
            .WithName("ImportDids")
            .WithSummary("Import numbers into the inventory as UNASSIGNED (platform admin), all or nothing. " + Contract + " Of two " +
                         "concurrent imports sharing numbers, the second to reach a shared number waits for the first and, if the " +
                         "first commits, is refused with those numbers listed as already in the inventory.")
            .Produces<ImportResult>(StatusCodes.Status201Created);
        Describe(dids.MapPost("/import/validate", async (HttpRequest request, IMediator mediator, CancellationToken ct,
                [FromQuery(Name = "default_region"), Description(DefaultRegionDescription)] string? defaultRegion = null,
                [FromQuery(Name = "on_conflict"), Description(OnConflictDescription), AllowedValues("error", "skip")] string? onConflict = null) =>
                TypedResults.Ok(await ImportAsync(request, mediator, Options(defaultRegion, onConflict, true), ct))), maxImport)
            .WithName("ValidateDidImport")
            .WithSummary("Run every check of an import and answer its report, storing nothing (platform admin): the same body, " +
                         "parameters and answers as POST /api/v1/dids/import, with 200 and validate_only: true where the import " +
                         "would answer 201. " + Contract)
            .Produces<ImportResult>();
    }

    private static RouteHandlerBuilder Describe(RouteHandlerBuilder route, long maxImport) =>
        route.RequireAuthorization(Policies.PlatformAdmin)
            .WithMetadata(new RequestSizeLimitAttribute(maxImport))
            .Accepts<ImportDidsRequest>("application/json", "text/csv")
            .AddOpenApiOperationTransformer((op, _, _) =>
            {
                // One Accepts (several would each restrict the content types routing admits); the CSV body is text, not the JSON schema.
                if (op.RequestBody?.Content?.TryGetValue("text/csv", out var csv) == true)
                    csv.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "UTF-8 CSV. Header: number,provider[,metadata][,default_region][,other columns as metadata keys]; an export's " +
                                      "state columns are not stored and the answer's ignored_columns names them. " +
                                      "Example row: +12125550100,twilio,\"{\"\"region\"\":\"\"us-east\"\"}\"",
                    };
                return Task.CompletedTask;
            })
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
