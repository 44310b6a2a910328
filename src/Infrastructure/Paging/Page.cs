using FluentValidation;

namespace Did.Infrastructure.Paging;

/// <summary>Every list answers the same envelope.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, long Total, int Page, int PageSize);

/// <summary>Implemented by list queries so one validator rule set covers paging everywhere.</summary>
public interface IPaged
{
    int Page { get; }
    int PageSize { get; }
}

public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static long Offset(this IPaged q) => (long)(q.Page - 1) * q.PageSize;

    public static void ValidatePaging<T>(this AbstractValidator<T> v) where T : IPaged
    {
        v.RuleFor(q => q.Page).GreaterThanOrEqualTo(1).LessThanOrEqualTo(10_000_000);
        v.RuleFor(q => q.PageSize).InclusiveBetween(1, MaxPageSize);
    }
}
