namespace Did.Dialplan;

/// <summary>One reason a snapshot cannot be rendered. <see cref="TenantId"/> is the tenant whose data it is about (null
/// for the platform's settings); <see cref="Message"/> names only that tenant's objects, so it may be shown to that
/// tenant's admin: a reference into another tenant says "another tenant", never which.</summary>
public sealed record DialplanProblem(Guid? TenantId, string Message);

/// <summary>The snapshot cannot be rendered safely. Lists every offending item (not only the first) so one
/// apply shows the operator the whole clean-up list; nothing is written when this is thrown. The exception's own
/// message only counts them, because it ends up where any caller may read it (an apply job's error); who may see which
/// <see cref="Problems"/> is decided where the refusal is answered.</summary>
public sealed class DialplanException(IReadOnlyList<DialplanProblem> problems)
    : Exception($"The dialplan was not rendered: {problems.Count} problem(s) in the data of "
                + $"{problems.Where(p => p.TenantId is not null).Select(p => p.TenantId).Distinct().Count()} tenant(s)"
                + (problems.Any(p => p.TenantId is null) ? " and in the platform settings" : "")
                + "; a dry run lists the ones its caller may see.")
{
    public IReadOnlyList<DialplanProblem> Problems { get; } = problems;

    /// <summary>Every problem's message, in order.</summary>
    public IEnumerable<string> Messages => Problems.Select(p => p.Message);
}
