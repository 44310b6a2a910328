using Dapper;
using Did.Infrastructure.Errors;
using Npgsql;
using NpgsqlTypes;

namespace Did.Features.Dids;

/// <summary>Loads numbers for one import inside the caller's transaction: rows stream through a binary COPY into a temp
/// staging table (dropped at commit), then one INSERT ... SELECT sorted by number moves them into phone_numbers.
/// The ids are UUIDv7 of this import (its timestamp, then a counter in number order), so both the primary key and the
/// number index are appended to in order instead of being written at random pages: that is what makes a million rows fast.
/// The fast path does no checks of its own: the unique index finds duplicates and numbers already in the inventory.
/// Only when it objects (or a row was already refused) does a set-based diagnosis name every offending row.
/// With <see cref="OnConflict.Skip"/> the insert passes over numbers already stored, and the diagnosis runs only when it
/// passed over some: it tells the duplicates within the import (still refused) from the numbers skipped.
/// The ids' range is the import's mark: the history of a number finds the import that created it by its id (M0023).</summary>
internal sealed class DidImporter : IAsyncDisposable
{
    private const int MaxProviders = 100;
    private static readonly string[] TypeNames = Enum.GetValues<NumberType>().Select(t => Infrastructure.Json.ApiJson.Name(t)).ToArray();
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;
    private readonly Func<long, string> _label;
    private NpgsqlBinaryImporter? _copy;

    private DidImporter(NpgsqlConnection conn, NpgsqlTransaction tx, Func<long, string> label)
    {
        _conn = conn;
        _tx = tx;
        _label = label;
    }

    /// <summary>Every refused row (format, duplicates, already present), counted, first 1,000 listed by position.</summary>
    public ErrorList Errors { get; } = new();

    public long Staged { get; private set; }

    /// <summary>Numbers imported per provider for the audit row (the first 100 providers by order of appearance; the rest
    /// as "(other)"). Counted as rows are staged; recounted when a skipping insert passed over some.</summary>
    public Dictionary<string, long> Providers { get; } = new(StringComparer.Ordinal);

    /// <param name="label">How an error names a row: "line 7" for CSV, "dids[3]" for JSON.</param>
    public static async Task<DidImporter> StartAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Func<long, string> label, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("""
            SET LOCAL work_mem = '128MB';
            CREATE TEMP TABLE import_staging (
                pos bigint NOT NULL, number text NOT NULL, country text NOT NULL, number_type text NOT NULL, provider text, metadata jsonb
            ) ON COMMIT DROP;
            """, transaction: tx, cancellationToken: ct));
        var importer = new DidImporter(conn, tx, label);
        importer._copy = await conn.BeginBinaryImportAsync(
            "COPY import_staging (pos, number, country, number_type, provider, metadata) FROM STDIN (FORMAT BINARY)", ct);
        return importer;
    }

    /// <param name="metadataJson">A validated JSON object, or null for {}.</param>
    public async ValueTask AddAsync(long pos, NormalizedNumber number, string? provider, string? metadataJson, CancellationToken ct)
    {
        var copy = _copy!;
        await copy.StartRowAsync(ct);
        await copy.WriteAsync(pos, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(number.E164, NpgsqlDbType.Text, ct);
        await copy.WriteAsync(number.Country, NpgsqlDbType.Text, ct);
        await copy.WriteAsync(TypeNames[(int)number.Type], NpgsqlDbType.Text, ct);
        if (provider is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(provider, NpgsqlDbType.Text, ct);
        if (metadataJson is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(metadataJson, NpgsqlDbType.Jsonb, ct);
        Staged++;
        CountProvider(provider ?? "", 1);
    }

    private void CountProvider(string key, long n)
    {
        if (Providers.TryGetValue(key, out var had)) Providers[key] = had + n;
        else if (Providers.Count < MaxProviders) Providers[key] = n;
        else Providers["(other)"] = Providers.GetValueOrDefault("(other)") + n;
    }

    /// <summary>After a skipping insert passed over numbers already stored: counts the providers of the rows it stored
    /// (its ids are this import's range), in order of appearance, so the audit row counts only what was imported.</summary>
    private async Task RecountProvidersAsync(Guid firstId, Guid lastId, CancellationToken ct)
    {
        var counts = await _conn.QueryAsync<(string Provider, long Count)>(new CommandDefinition("""
            SELECT coalesce(s.provider, '') AS provider, count(*) AS count
            FROM import_staging s JOIN phone_numbers p ON p.number = s.number AND p.id BETWEEN @firstId AND @lastId
            GROUP BY coalesce(s.provider, '')
            ORDER BY min(s.pos)
            """, new { firstId, lastId }, _tx, commandTimeout: 0, cancellationToken: ct));
        Providers.Clear();
        foreach (var (provider, count) in counts) CountProvider(provider, count);
    }

    /// <summary>What an import stored: how many numbers, which it skipped (counted, the first 1,000 listed), and the range
    /// of the ids it gave (a number's history finds its import by it).</summary>
    public sealed record Outcome(long Imported, long Skipped, IReadOnlyList<string> SkippedListed, Guid FirstId, Guid LastId);

    /// <summary>Inserts everything (or, with <see cref="OnConflict.Skip"/>, everything not already stored) or throws the 400
    /// listing every problem.</summary>
    public async Task<Outcome> FinishAsync(OnConflict onConflict, CancellationToken ct)
    {
        await _copy!.CompleteAsync(ct);
        await _copy.DisposeAsync();
        _copy = null;

        var prefix = Guid.CreateVersion7().ToString("N")[..16];
        var low = unchecked((long)(0x8000_0000_0000_0000UL | ((ulong)(uint)Random.Shared.Next(1 << 30) << 32)));
        var (firstId, lastId) = (Guid.Parse(prefix + (low + 1).ToString("x16")), Guid.Parse(prefix + (low + Math.Max(Staged, 1)).ToString("x16")));
        var insert = $$"""
            INSERT INTO phone_numbers (id, number, country, number_type, provider, provider_metadata)
            SELECT (@prefix || lpad(to_hex(@low + row_number() OVER (ORDER BY number, pos)), 16, '0'))::uuid,
                   number, country, number_type, provider, coalesce(metadata, '{}'::jsonb)
            FROM import_staging
            ORDER BY number, pos
            {{(onConflict == OnConflict.Skip ? "ON CONFLICT (number) DO NOTHING" : "")}}
            """;
        if (Errors.Count == 0 && onConflict == OnConflict.Skip)
        {
            var inserted = await _conn.ExecuteAsync(new CommandDefinition(insert, new { prefix, low }, _tx, commandTimeout: 0, cancellationToken: ct));
            if (inserted == Staged) return new Outcome(inserted, 0, [], firstId, lastId);
            var skipped = await DiagnoseAsync(firstId, lastId, ct);
            Errors.ThrowIfAny("imported", "Nothing was imported");
            await RecountProvidersAsync(firstId, lastId, ct);
            return new Outcome(inserted, skipped.Total, skipped.Listed, firstId, lastId);
        }
        if (Errors.Count == 0)
        {
            await _tx.SaveAsync("import", ct);
            try
            {
                var inserted = await _conn.ExecuteAsync(new CommandDefinition(insert, new { prefix, low }, _tx, commandTimeout: 0, cancellationToken: ct));
                return new Outcome(inserted, 0, [], firstId, lastId);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await _tx.RollbackAsync("import", ct);
            }
        }

        // With skip, numbers already stored are skipped, never problems, even beside refused rows: nothing of this import
        // was inserted, so its id range holds no stored number.
        if (onConflict == OnConflict.Skip) await DiagnoseAsync(firstId, lastId, ct);
        else await DiagnoseAsync(null, null, ct);
        Errors.ThrowIfAny("imported", "Nothing was imported");
        // The unique index objected, yet no number is a duplicate or already stored: a concurrent change came and went.
        throw Problem.Conflict("The import collided with a concurrent change to the same numbers; retry it.");
    }

    private sealed record Bad(long Pos, string Number, long FirstPos, bool Existing, long Total);

    /// <summary>Duplicates within the import (every occurrence after the first) and numbers already in the inventory.
    /// A concurrent import that committed first is seen here (READ COMMITTED: a new snapshot per statement). With the ids
    /// of this import's own rows (after a skipping insert, or the ids it would have had), numbers already stored are
    /// returned as skipped instead of added to the errors; duplicates are errors either way.</summary>
    private async Task<(long Total, IReadOnlyList<string> Listed)> DiagnoseAsync(Guid? firstId, Guid? lastId, CancellationToken ct)
    {
        await _conn.ExecuteAsync(new CommandDefinition("ANALYZE import_staging", transaction: _tx, cancellationToken: ct));
        var skipping = firstId is not null;
        var bad = (await _conn.QueryAsync<Bad>(new CommandDefinition($"""
            WITH s AS (
                SELECT pos, number, min(pos) OVER (PARTITION BY number) AS first_pos FROM import_staging
            ), bad AS MATERIALIZED (
                SELECT s.pos, s.number, s.first_pos, s.pos = s.first_pos AND p.id IS NOT NULL AS existing
                FROM s LEFT JOIN phone_numbers p ON p.number = s.number
                    AND (NOT @skipping OR p.id NOT BETWEEN @firstId AND @lastId)
                WHERE p.id IS NOT NULL OR s.pos <> s.first_pos
            ), counted AS (
                SELECT *, count(*) OVER (PARTITION BY existing) AS total FROM bad
            )
            SELECT pos, number, first_pos, existing, total
            FROM (
                (SELECT * FROM counted WHERE existing ORDER BY pos LIMIT {ErrorList.MaxListed})
                UNION ALL
                (SELECT * FROM counted WHERE NOT existing ORDER BY pos LIMIT {ErrorList.MaxListed})
            ) listed
            ORDER BY pos
            """, new { skipping, firstId = firstId ?? Guid.Empty, lastId = lastId ?? Guid.Empty }, _tx, commandTimeout: 0, cancellationToken: ct))).ToList();
        var existing = bad.Where(b => b.Existing).ToList();
        var duplicates = bad.Where(b => !b.Existing).ToList();
        Errors.AddCounted(duplicates.Count == 0 ? 0 : duplicates[0].Total,
            duplicates.Select(b => (b.Pos, _label(b.Pos), $"Duplicate number: {b.Number} (also at {_label(b.FirstPos)})")));
        var listedExisting = existing.Select(b => $"{_label(b.Pos)}: {b.Number}").ToList();
        if (!skipping)
            Errors.AddCounted(existing.Count == 0 ? 0 : existing[0].Total,
                existing.Select(b => (b.Pos, _label(b.Pos), $"Number already in inventory: {b.Number}")));
        return (existing.Count == 0 ? 0 : existing[0].Total, listedExisting);
    }

    public async ValueTask DisposeAsync()
    {
        // Not completed: the COPY is cancelled, and the caller's transaction rolls back with it.
        if (_copy is not null) await _copy.DisposeAsync();
    }
}
