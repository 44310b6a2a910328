using System.Data;
using Npgsql;

namespace Did.Infrastructure.Paging;

/// <summary>A list reads its total and its page in one REPEATABLE READ transaction, so both see one snapshot and the total
/// counts exactly the rows the page is cut from while rows come and go; under READ COMMITTED each statement of the batch
/// would take a snapshot of its own.</summary>
public static class PageSnapshot
{
    public static async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
}
