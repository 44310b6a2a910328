using FluentValidation;

namespace Did.Infrastructure.Paging;

/// <summary>A list query: a shallow page by number, or the page after a cursor.</summary>
public interface IPaged
{
    int? Page { get; }
    int PageSize { get; }
    string? Cursor { get; }

    /// <summary>The list and its filters, written the same way every time: a cursor is valid only for the list and the
    /// filters that gave it out.</summary>
    string CursorScope();
}

public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>The deepest row <c>page</c> may start at: a page further down costs a walk over every row above it,
    /// where a cursor starts at its row directly.</summary>
    public const int MaxOffset = 10_000;

    public const int MaxCursorLength = 1024;

    public const string CursorDescription =
        "The next_cursor of the previous page: the page starts right after that page's last item. Send the same filters " +
        "as the request that gave it out; not combinable with page.";

    public const string PageNumberDescription =
        "Page number, from 1, for shallow pages: the page must start at an offset of at most 10,000 items; deeper, follow next_cursor.";

    public const string PageSizeDescription = "Items per page, 1 to 200 (default 50).";

    /// <summary>Rows to skip: none after a cursor.</summary>
    public static long Offset(this IPaged q) => q.Cursor is null ? (long)((q.Page ?? 1) - 1) * q.PageSize : 0;

    /// <summary>Rows to read: one more than the page holds, to know whether another page follows.</summary>
    public static int Limit(this IPaged q) => q.PageSize + 1;

    public static void ValidatePaging<T>(this AbstractValidator<T> v) where T : IPaged
    {
        v.RuleFor(q => q.PageSize).InclusiveBetween(1, MaxPageSize);
        v.RuleFor(q => q.Page).GreaterThanOrEqualTo(1)
            .Must((q, page) => page is null || (long)(page.Value - 1) * q.PageSize <= MaxOffset)
            .WithMessage((q, page) =>
                $"'page' {page} of {q.PageSize} starts at item {(long)(page!.Value - 1) * q.PageSize + 1}: page reaches the first " +
                $"{MaxOffset:N0} items only. To go deeper, follow next_cursor (send it as 'cursor').");
        v.RuleFor(q => q.Cursor)
            .Null().When(q => q.Page is not null)
            .WithMessage("'cursor' and 'page' cannot be combined: a cursor already says where the page starts.")
            .MaximumLength(MaxCursorLength)
            .Must((q, cursor) => cursor is null || PageCursor.IsValid(q.CursorScope(), cursor))
            .WithMessage(PageCursor.InvalidMessage);
    }

    /// <summary>The page out of <paramref name="rows"/> (read with <see cref="Limit"/>), and the cursor of the page after
    /// it: the key of its last item, or null when nothing follows.</summary>
    public static (List<T> Items, string? NextCursor) Cut<T, TKey>(this IPaged q, List<T> rows, Func<T, TKey> key)
    {
        if (rows.Count <= q.PageSize) return (rows, null);
        rows.RemoveRange(q.PageSize, rows.Count - q.PageSize);
        return (rows, PageCursor.Encode(q.CursorScope(), key(rows[^1])));
    }

    /// <summary>The page number to answer: null when the page was read by cursor.</summary>
    public static int? PageNumber(this IPaged q) => q.Cursor is null ? q.Page ?? 1 : null;

    /// <summary>An exactly counted page of <paramref name="rows"/> (read with <see cref="Limit"/>).</summary>
    public static Paged<T> ToPaged<T, TKey>(this IPaged q, List<T> rows, long total, Func<T, TKey> key)
    {
        var (items, next) = q.Cut(rows, key);
        return new Paged<T>(items, total, q.PageNumber(), q.PageSize, next);
    }

    /// <summary>The key a page starts after: the decoded cursor, or none.</summary>
    public static TKey? After<TKey>(this IPaged q) where TKey : class =>
        q.Cursor is null ? null : PageCursor.Decode<TKey>(q.CursorScope(), q.Cursor);
}
