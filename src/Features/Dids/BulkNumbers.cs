using Dapper;
using Did.Infrastructure.Errors;
using FluentValidation;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>What the bulk slices share: the list rule, the per-number checks, the row locks and the all-or-nothing 400.</summary>
internal static class BulkNumbers
{
    public const int MaxItems = 10_000;

    /// <summary>10,000 numbers of 16 characters in JSON are ~200 KB; 2 MiB leaves room for whitespace.</summary>
    public const long MaxBodyBytes = 2 * 1024 * 1024;

    public static IRuleBuilderOptions<T, IReadOnlyList<string>> NumberList<T>(this IRuleBuilder<T, IReadOnlyList<string>> rule) =>
        rule.NotEmpty().Must(n => n.Count <= MaxItems).WithMessage($"'numbers' must hold 1 to {MaxItems:N0} numbers.")
            .Must(n => n.All(x => x is not null)).WithMessage("'numbers' must not contain null items.");

    /// <summary>Format and duplicates within the request, each with the item's index.</summary>
    public static ErrorList Check(IReadOnlyList<string> numbers)
    {
        var errors = new ErrorList();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < numbers.Count; i++)
        {
            if (!DidRules.IsE164(numbers[i])) errors.Add(i, $"numbers[{i}]: Invalid E.164 format: {DidRules.Echo(numbers[i])}");
            else if (!seen.TryAdd(numbers[i], i)) errors.Add(i, $"numbers[{i}]: Duplicate number: {numbers[i]} (also at numbers[{seen[numbers[i]]}])");
        }
        return errors;
    }

    public sealed record Row(int Ord, string Number, string? Status, Guid? TenantId, string? TenantName);

    /// <summary>Locks the existing rows in number order (two bulk calls never deadlock), then reads every requested number
    /// with its state; a number not in the inventory has a null status.</summary>
    public static async Task<List<Row>> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<string> numbers, CancellationToken ct)
    {
        var valid = numbers.Where(n => DidRules.IsE164(n)).Distinct().ToArray();
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            WITH locked AS (SELECT id FROM phone_numbers WHERE number = ANY(@valid) ORDER BY number FOR UPDATE)
            SELECT (n.ord - 1)::int AS ord, n.number, p.status, p.tenant_id, t.name AS tenant_name
            FROM unnest(@valid::text[]) WITH ORDINALITY AS n(number, ord)
            LEFT JOIN phone_numbers p ON p.number = n.number AND p.id IN (SELECT id FROM locked)
            LEFT JOIN tenants t ON t.id = p.tenant_id
            """, new { valid }, tx, cancellationToken: ct));
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = numbers.Count - 1; i >= 0; i--) index[numbers[i]] = i;
        return rows.Select(r => r with { Ord = index[r.Number] }).OrderBy(r => r.Ord).ToList();
    }
}
