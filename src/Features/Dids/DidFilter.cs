using Did.Dialplan;
using FluentValidation;

namespace Did.Features.Dids;

/// <summary>The filters of the DID list and of its export. <c>Number</c> is a search (digits anywhere, or '+digits' for a
/// prefix); <c>Exact</c> a whole number, in E.164.</summary>
internal sealed record DidFilter(
    DidStatus? Status, Guid? TenantId, string? Number, string? Provider, AssignmentType? AssignedType, string? Country, NumberType? NumberType,
    string? Exact = null)
{
    private static readonly System.Text.RegularExpressions.Regex Search = new(@"^\+?[0-9]{1,15}\z");

    /// <summary>The <c>number</c> parameter as a client may write it: digits to search for ('+digits' a prefix, taken as
    /// written, never normalised), or a whole number in any other written form, read with the request's
    /// <c>default_region</c>, else <c>Dids:DefaultRegion</c> (<see cref="NumberSettings.RegionFor"/>), which then matches
    /// that number only. Both null: libphonenumber refuses it (<see cref="Refusal"/>).</summary>
    public static (string? Search, string? Exact) ReadNumber(string? number, string? defaultRegion) =>
        number is null || Search.IsMatch(number)
            ? (number, null)
            : (null, NumberNormalizer.TryNormalize(number, defaultRegion, out var n, out _) ? n.E164 : null);

    /// <summary>Why <see cref="ReadNumber"/> read nothing from <paramref name="number"/>: what the parameter takes, then
    /// libphonenumber's reason and the form given, as the import words it.</summary>
    public static string Refusal(string number, string? defaultRegion)
    {
        NumberNormalizer.TryNormalize(number, defaultRegion, out _, out var reason);
        return "'number' must be 1 to 15 digits to search for, optionally after a '+', or a whole number libphonenumber reads. " +
               NumberNormalizer.Describe(number, reason, defaultRegion);
    }
}

/// <summary>The rules of the <c>number</c> and <c>default_region</c> parameters, shared by the list and its export: an
/// unknown region is refused as the import refuses it; a number that is neither a search nor a whole number libphonenumber
/// reads with the region (else <c>Dids:DefaultRegion</c>, else none) is refused with libphonenumber's reason.</summary>
internal static class DidFilterRules
{
    public static void NumberAndRegion<T>(this AbstractValidator<T> v, Func<T, string?> number, Func<T, string?> region, NumberSettings settings)
    {
        v.RuleFor(x => region(x)).KnownRegion().OverridePropertyName(RegionParameter.Name);
        // With an unknown region only the region is named: the number was not read with the region the client meant.
        v.RuleFor(x => number(x))
            .Must((x, n) => DidFilter.ReadNumber(n, settings.RegionFor(region(x))) is not (null, null))
            .When(x => number(x) is not null && !RegionParameter.IsUnknown(region(x)))
            .WithMessage((x, n) => DidFilter.Refusal(n!, settings.RegionFor(region(x))))
            .OverridePropertyName("number");
    }
}

/// <summary>A <see cref="DidFilter"/> as SQL, with the caller's tenant scope: where the numbers come from, the conditions
/// on that source and the same conditions on the counts of M0009 (tenant, provider, country, type; status and route type
/// are the caller's to add). Each value goes through <c>bind</c>, which returns the SQL that stands for it (a parameter
/// of the list's query, or a setting the export's COPY reads), so no value is ever written into the SQL text.</summary>
internal sealed class DidFilterSql
{
    public const string NumberPattern = @"^\+?[0-9]{1,15}$";
    public const string CountryPattern = "^([A-Za-z]{2}|001)$";

    /// <summary>Where the numbers come from: the numbers, or with a route type the routes joined to their numbers.</summary>
    public required string Source { get; init; }

    /// <summary>The number column of <see cref="Source"/> that orders the list.</summary>
    public required string NumberColumn { get; init; }

    public List<string> Conditions { get; } = [];

    /// <summary>The same filters on phone_number_counts (tenant, provider, country and type).</summary>
    public List<string> Counted { get; } = [];

    /// <param name="bind">Takes a name, a value and its PostgreSQL type; returns the SQL expression for the value.</param>
    public static DidFilterSql Build(DidFilter f, Guid? scope, Func<string, object, string, string> bind)
    {
        var routed = f.AssignedType is not null;
        // A route type with a country or type is walked from the assigned numbers of that country or type (M0024), in
        // the numbers' order; otherwise from the routes of that type, in the routes' copy of the number.
        var byNumber = routed && (f.Country is not null || f.NumberType is not null);
        var sql = new DidFilterSql
        {
            Source = routed ? "did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id" : "phone_numbers p",
            NumberColumn = routed && !byNumber ? "a.number" : "p.number",
        };
        if (byNumber) sql.Conditions.Add("p.status = 'ASSIGNED'");
        var tenant = routed ? "a.tenant_id" : "p.tenant_id";
        if (scope is { } s) sql.Both(tenant, "tenant_id", bind("scope", s, "uuid"));
        if (f.TenantId is { } tenantId) sql.Both(tenant, "tenant_id", bind("tenant", tenantId, "uuid"));
        if (f.Provider is { } provider) sql.Both("p.provider", "provider", bind("provider", provider, "text"));
        if (f.Country is { } country) sql.Both("p.country", "country", bind("country", country.ToUpperInvariant(), "text"));
        if (f.NumberType is { } type) sql.Both("p.number_type", "number_type", bind("number_type", Infrastructure.Json.ApiJson.Name(type), "text"));
        if (f.Status is { } status) sql.Conditions.Add($"p.status = {bind("status", Infrastructure.Json.ApiJson.Name(status), "text")}");
        if (f.AssignedType is { } assignedType)
        {
            sql.Conditions.Add($"a.assigned_type = {bind("assigned_type", Infrastructure.Json.ApiJson.Name(assignedType), "text")}");
            // Only ASSIGNED numbers have a route (M0009), so no other status can match.
            if (f.Status is not (null or DidStatus.Assigned)) sql.Conditions.Add("false");
        }
        if (f.Exact is { } exact) sql.Conditions.Add($"{sql.NumberColumn} = {bind("exact", exact, "text")}");
        if (f.Number is { } search)
        {
            // '+' only ever starts a number, so "+1555" is a prefix: LIKE '+1555%'; digits alone may be anywhere.
            sql.Conditions.Add($"{sql.NumberColumn} LIKE {bind("pattern", search.StartsWith('+') ? search + "%" : "%" + search + "%", "text")}");
        }
        return sql;
    }

    private void Both(string column, string countColumn, string value)
    {
        Conditions.Add($"{column} = {value}");
        Counted.Add($"{countColumn} = {value}");
    }

    public static string Where(IEnumerable<string> conditions)
    {
        var list = conditions.ToList();
        return list.Count == 0 ? "" : "WHERE " + string.Join(" AND ", list);
    }
}
