using Dapper;
using FluentValidation;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>What the bulk slices share: the list-or-range rule, reading every number in any written form, the row locks
/// and the links from the bulk change's audit row to each number it moved (audit_log_numbers, M0023).</summary>
internal static class BulkNumbers
{
    public const int MaxItems = 10_000;

    /// <summary>10,000 numbers of 16 characters in JSON are ~200 KB; 2 MiB leaves room for whitespace and national forms.</summary>
    public const long MaxBodyBytes = 2 * 1024 * 1024;

    public const string RegionPattern = "^[A-Za-z]{2}$";

    public static void NumbersOrRange<T>(this AbstractValidator<T> v, Func<T, IReadOnlyList<string>?> numbers, Func<T, NumberRange?> range,
        Func<T, string?> region)
    {
        v.RuleFor(r => r).Must(r => numbers(r) is null != range(r) is null).OverridePropertyName("numbers")
            .WithMessage("Send either 'numbers' (a list) or 'range' ({\"from\": ..., \"to\": ...}), not both and not neither.");
        v.RuleFor(r => numbers(r)).Must(n => n is null || n.Count is > 0 and <= MaxItems).OverridePropertyName("numbers")
            .WithMessage($"'numbers' must hold 1 to {MaxItems:N0} numbers; send a larger block as a 'range'.")
            .Must(n => n is null || n.All(x => x is not null)).WithMessage("'numbers' must not contain null items.");
        v.RuleFor(r => region(r)).KnownRegion().OverridePropertyName(RegionParameter.Name);
    }

    /// <summary>The numbers of a request in E.164 with how errors name each (numbers[3], range[17]). A bad list entry or a
    /// duplicate is an error listed by its position; a bad range is a 400 at once (NumberRanges).</summary>
    public sealed record Requested(List<(int Pos, string Label, string Number)> Numbers, ErrorList Errors)
    {
        public string[] E164 => Numbers.Select(n => n.Number).ToArray();
    }

    public static Requested Read(IReadOnlyList<string>? numbers, NumberRange? range, string? region)
    {
        var errors = new ErrorList();
        if (range is not null)
            return new Requested(NumberRanges.Expand(range, region).Select((n, i) => (i, $"range[{i}]", n)).ToList(), errors);

        var list = new List<(int, string, string)>(numbers!.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < numbers.Count; i++)
        {
            if (!NumberNormalizer.TryNormalize(numbers[i], region, out var n, out var reason))
                errors.Add(i, $"numbers[{i}]", NumberNormalizer.Describe(numbers[i], reason, region));
            else if (!seen.TryAdd(n.E164, i))
                errors.Add(i, $"numbers[{i}]", $"Duplicate number: {n.E164} (also at numbers[{seen[n.E164]}])");
            else list.Add((i, $"numbers[{i}]", n.E164));
        }
        return new Requested(list, errors);
    }

    /// <summary>A requested number as locked: a quarantined one carries its date and the tenant it was taken from.</summary>
    public sealed record Row(int Ord, string Number, Guid? Id, string? Status, Guid? TenantId, string? TenantName, DateTime? QuarantineUntil,
        Guid? QuarantinedFromTenantId, string? QuarantinedFromName);

    /// <summary>Locks the existing rows in number order (two bulk calls never deadlock), then reads every requested number
    /// with its state, in the order given (<c>Ord</c> is the index in <paramref name="numbers"/>); a number not in the
    /// inventory has a null status. The state is what the locking statement returns: a lock that waited for another
    /// change returns the row as that change committed it, where another read of the table in the same statement would
    /// still see it as before the wait.</summary>
    public static async Task<List<Row>> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] numbers, CancellationToken ct) =>
        (await conn.QueryAsync<Row>(new CommandDefinition("""
            WITH locked AS (
                SELECT id, number, status, tenant_id, quarantine_until, quarantined_from_tenant_id
                FROM phone_numbers WHERE number = ANY(@numbers) ORDER BY number FOR UPDATE)
            SELECT (n.ord - 1)::int AS ord, n.number, p.id, p.status, p.tenant_id, t.name AS tenant_name,
                   p.quarantine_until, p.quarantined_from_tenant_id, q.name AS quarantined_from_name
            FROM unnest(@numbers::text[]) WITH ORDINALITY AS n(number, ord)
            LEFT JOIN locked p ON p.number = n.number
            LEFT JOIN tenants t ON t.id = p.tenant_id
            LEFT JOIN tenants q ON q.id = p.quarantined_from_tenant_id
            ORDER BY n.ord
            """, new { numbers }, tx, commandTimeout: 0, cancellationToken: ct))).ToList();

    /// <summary>Links the bulk change's audit row to each number it changed, with the tenant that held the number and, for
    /// an allocation, whether the number came out of quarantine (M0040).</summary>
    public static Task LinkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid auditId, IEnumerable<Guid> ids, IEnumerable<Guid?> tenants,
        IEnumerable<bool>? fromQuarantine, CancellationToken ct)
    {
        var idList = ids.ToArray();
        return conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log_numbers (phone_number_id, audit_log_id, tenant_id, from_quarantine)
            SELECT id, @auditId, tenant_id, from_quarantine FROM unnest(@ids, @tenants, @fromQuarantine) AS x(id, tenant_id, from_quarantine)
            """, new
            {
                auditId, ids = idList, tenants = tenants.ToArray(),
                fromQuarantine = fromQuarantine?.Select(f => (bool?)f).ToArray() ?? new bool?[idList.Length],
            }, tx, commandTimeout: 0, cancellationToken: ct));
    }
}
