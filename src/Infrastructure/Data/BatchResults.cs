using Dapper;
using Npgsql;

namespace Did.Infrastructure.Data;

/// <summary>Reads the results of an <see cref="NpgsqlBatch"/> statement by statement, each row mapped to a record by
/// column name as Dapper maps a query.</summary>
public static class BatchResults
{
    /// <summary>The current statement's one row, or null when it returned none; then moves on to the next statement's
    /// result. Statements that return no rows (BEGIN) are skipped by the reader.</summary>
    public static async Task<T?> ReadSingleOrDefaultAsync<T>(this NpgsqlDataReader reader, CancellationToken ct) where T : class
    {
        T? row = null;
        if (await reader.ReadAsync(ct))
        {
            row = reader.GetRowParser<T>()(reader);
            if (await reader.ReadAsync(ct))
                throw new InvalidOperationException($"The statement returned more than one {typeof(T).Name}.");
        }
        await reader.NextResultAsync(ct);
        return row;
    }

    /// <summary>The current statement's rows, in order; then moves on to the next statement's result.</summary>
    public static async Task<List<T>> ReadListAsync<T>(this NpgsqlDataReader reader, CancellationToken ct)
    {
        var rows = new List<T>();
        Func<System.Data.Common.DbDataReader, T>? parse = null;
        while (await reader.ReadAsync(ct)) rows.Add((parse ??= reader.GetRowParser<T>())(reader));
        await reader.NextResultAsync(ct);
        return rows;
    }
}
