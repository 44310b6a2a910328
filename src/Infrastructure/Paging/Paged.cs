using System.ComponentModel;

namespace Did.Infrastructure.Paging;

/// <summary>The envelope of every list whose <c>total</c> is always counted. A client pages by following
/// <c>next_cursor</c> until it is null; <c>page</c> serves shallow pages.</summary>
public sealed record Paged<T>(
    IReadOnlyList<T> Items,
    [property: Description(Paged.TotalDescription)] long Total,
    [property: Description(Paged.PageDescription)] int? Page,
    [property: Description(Paged.PageSizeDescription)] int PageSize,
    [property: Description(Paged.NextCursorDescription)] string? NextCursor);

/// <summary>The envelope of a list whose matches are counted only up to a bound when counting them all would cost more
/// than the page (a substring search over a million numbers, the audit log): then <c>total</c> is null and
/// <c>total_at_least</c> says how many were seen. Never an estimate.</summary>
public sealed record BoundedPaged<T>(
    IReadOnlyList<T> Items,
    [property: Description(Paged.BoundedTotalDescription)] long? Total,
    [property: Description(Paged.TotalAtLeastDescription)] long? TotalAtLeast,
    [property: Description(Paged.PageDescription)] int? Page,
    [property: Description(Paged.PageSizeDescription)] int PageSize,
    [property: Description(Paged.NextCursorDescription)] string? NextCursor);

/// <summary>What the envelopes' fields mean, as the OpenAPI document says it.</summary>
public static class Paged
{
    public const string TotalDescription =
        "How many items match the filters, exactly, counted when this page was read (whatever cursor or page was sent).";

    public const string BoundedTotalDescription =
        "How many items match the filters, exactly, counted when this page was read; null when counting stopped at a bound " +
        "(then total_at_least says how many were seen). Never an estimate.";

    public const string TotalAtLeastDescription =
        "Null when total is given. Otherwise counting stopped here: at least this many items match.";

    public const string PageDescription = "The page number when the list was read by page; null when it was read by cursor.";

    public const string PageSizeDescription = "The most items a page holds.";

    public const string NextCursorDescription =
        "Opaque. Send it as cursor, with the same filters, for the next page; null on the last page. " +
        "Pages stay in order while items are added or removed: none is skipped or repeated.";
}
