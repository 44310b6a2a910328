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
/// Only when it objects (or a row was already refused) does a set-based diagnosis name every offending row.</summary>
internal sealed class DidImporter : IAsyncDisposable
{
    private const int MaxProviders = 100;
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

    /// <summary>Numbers per provider for the audit row (the first 100 providers by name of appearance; the rest as "(other)").</summary>
    public Dictionary<string, long> Providers { get; } = new(StringComparer.Ordinal);

    /// <param name="label">How an error names a row: "line 7" for CSV, "dids[3]" for JSON.</param>
    public static async Task<DidImporter> StartAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Func<long, string> label, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("""
            SET LOCAL work_mem = '128MB';
            CREATE TEMP TABLE import_staging (pos bigint NOT NULL, number text NOT NULL, provider text, metadata jsonb) ON COMMIT DROP;
            """, transaction: tx, cancellationToken: ct));
        var importer = new DidImporter(conn, tx, label);
        importer._copy = await conn.BeginBinaryImportAsync(
            "COPY import_staging (pos, number, provider, metadata) FROM STDIN (FORMAT BINARY)", ct);
        return importer;
    }

    /// <param name="metadataJson">A validated JSON object, or null for {}.</param>
    public async ValueTask AddAsync(long pos, string number, string? provider, string? metadataJson, CancellationToken ct)
    {
        var copy = _copy!;
        await copy.StartRowAsync(ct);
        await copy.WriteAsync(pos, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(number, NpgsqlDbType.Text, ct);
        if (provider is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(provider, NpgsqlDbType.Text, ct);
        if (metadataJson is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(metadataJson, NpgsqlDbType.Jsonb, ct);
        Staged++;
        var key = provider ?? "";
        if (Providers.TryGetValue(key, out var n)) Providers[key] = n + 1;
        else if (Providers.Count < MaxProviders) Providers[key] = 1;
        else Providers["(other)"] = Providers.GetValueOrDefault("(other)") + 1;
    }

    /// <summary>Inserts everything or throws the 400 listing every problem. Returns the number of rows inserted.</summary>
    public async Task<long> FinishAsync(CancellationToken ct)
    {
        await _copy!.CompleteAsync(ct);
        await _copy.DisposeAsync();
        _copy = null;

        if (Errors.Count == 0)
        {
            await _tx.SaveAsync("import", ct);
            try
            {
                var prefix = Guid.CreateVersion7().ToString("N")[..16];
                var low = unchecked((long)(0x8000_0000_0000_0000UL | ((ulong)(uint)Random.Shared.Next(1 << 30) << 32)));
                return await _conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO phone_numbers (id, number, provider, provider_metadata)
                    SELECT (@prefix || lpad(to_hex(@low + row_number() OVER (ORDER BY number)), 16, '0'))::uuid,
                           number, provider, coalesce(metadata, '{}'::jsonb)
                    FROM import_staging
                    ORDER BY number
                    """, new { prefix, low }, _tx, commandTimeout: 0, cancellationToken: ct));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await _tx.RollbackAsync("import", ct);
            }
        }

        await DiagnoseAsync(ct);
        if (Errors.Count == 0)
            throw Problem.Conflict("The import collided with a concurrent change to the same numbers; retry it.");
        Errors.ThrowIfAny("imported", "Nothing was imported");
        return 0;
    }

    private sealed record Bad(long Pos, string Number, long FirstPos, bool Existing, long Total);

    /// <summary>Duplicates within the import (every occurrence after the first) and numbers already in the inventory.
    /// A concurrent import that committed first is seen here (READ COMMITTED: a new snapshot per statement).</summary>
    private async Task DiagnoseAsync(CancellationToken ct)
    {
        await _conn.ExecuteAsync(new CommandDefinition("ANALYZE import_staging", transaction: _tx, cancellationToken: ct));
        var bad = (await _conn.QueryAsync<Bad>(new CommandDefinition($"""
            WITH s AS (
                SELECT pos, number, min(pos) OVER (PARTITION BY number) AS first_pos FROM import_staging
            ), bad AS MATERIALIZED (
                SELECT s.pos, s.number, s.first_pos, p.id IS NOT NULL AS existing
                FROM s LEFT JOIN phone_numbers p ON p.number = s.number
                WHERE p.id IS NOT NULL OR s.pos <> s.first_pos
            )
            SELECT pos, number, first_pos, existing, count(*) OVER () AS total FROM bad ORDER BY pos LIMIT {ErrorList.MaxListed}
            """, transaction: _tx, commandTimeout: 0, cancellationToken: ct))).ToList();
        Errors.AddCounted(bad.Count == 0 ? 0 : bad[0].Total, bad.Select(b => (b.Pos, b.Existing
            ? $"{_label(b.Pos)}: Number already in inventory: {b.Number}"
            : $"{_label(b.Pos)}: Duplicate number: {b.Number} (also at {_label(b.FirstPos)})")));
    }

    public async ValueTask DisposeAsync()
    {
        // Not completed: the COPY is cancelled, and the caller's transaction rolls back with it.
        if (_copy is not null) await _copy.DisposeAsync();
    }
}
