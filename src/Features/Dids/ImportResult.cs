using System.ComponentModel;

namespace Did.Features.Dids;

/// <summary>How an import treats numbers already in the inventory: <c>error</c> refuses the whole import (the default),
/// <c>skip</c> counts and lists them as skipped and imports the rest.</summary>
public enum OnConflict
{
    Error,
    Skip,
}

/// <summary>The query parameters of an import: how to read national forms, what to do with numbers already stored, and
/// whether to store anything at all.</summary>
public sealed record ImportOptions(string? DefaultRegion, OnConflict OnConflict, bool ValidateOnly)
{
    public static readonly ImportOptions Default = new(null, OnConflict.Error, false);
}

/// <summary>The answer of an import that succeeded (failed 0); a refused import stores nothing and is a 400 whose
/// <c>errors</c> lists every problem.
/// <c>skipped</c> counts the numbers already in the inventory that <c>on_conflict=skip</c> passed over;
/// <c>skipped_numbers</c> lists the first 1,000 of them by position. With <c>validate_only</c> nothing is stored and
/// <c>imported</c> is what would have been. <c>ignored_columns</c> names the CSV columns read as an export's own and not
/// stored (<see cref="ImportDids.CsvLayout.ExportColumns"/>).</summary>
public sealed record ImportResult(long Imported, long Skipped, long Failed, IReadOnlyList<string> SkippedNumbers,
    bool ValidateOnly, [property: Description(ImportResult.IgnoredColumnsDescription)] IReadOnlyList<string> IgnoredColumns)
{
    public const string IgnoredColumnsDescription =
        "The CSV header's columns read as the export's own state and not stored, as the header writes them and in its order: " +
        "status, tenant_id, tenant_slug, country, type, assigned_type and destination (any case), so an export imports back " +
        "unchanged. Every other column is stored (number, provider, metadata, default_region, or a metadata key). Always " +
        "present; empty when there were none, and for a JSON import.";
}
