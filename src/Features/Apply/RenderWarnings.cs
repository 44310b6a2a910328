using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>Which render warnings a caller may see, and how many of them are listed: stale data behind many numbers
/// gives a warning per number, so the list a job keeps and an answer carries is cut, and counted whole beside it.</summary>
public static class RenderWarnings
{
    /// <summary>The most warnings a job keeps (a CHECK of apply_jobs, M0036) and a preview or job lists.</summary>
    public const int Listed = 1_000;

    /// <summary>The warnings about tenant <paramref name="tenantId"/>'s data only (a tenant admin's): none about another
    /// tenant's, nor the platform's own.</summary>
    public static IReadOnlyList<RenderWarning> Of(IReadOnlyList<RenderWarning> warnings, Guid? tenantId) =>
        tenantId is { } id ? [.. warnings.Where(w => w.TenantId == id)] : [];

    /// <summary>The first <see cref="Listed"/> of <paramref name="warnings"/>, in their order.</summary>
    public static IReadOnlyList<RenderWarning> First(IReadOnlyList<RenderWarning> warnings) =>
        warnings.Count <= Listed ? warnings : [.. warnings.Take(Listed)];

    /// <summary>How many warnings each tenant has (the platform's own, under no tenant, are not counted here).</summary>
    public static Dictionary<Guid, int> CountByTenant(IReadOnlyList<RenderWarning> warnings) =>
        warnings.Where(w => w.TenantId is not null).CountBy(w => w.TenantId!.Value).ToDictionary();
}
