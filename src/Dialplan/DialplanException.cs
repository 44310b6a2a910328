namespace Did.Dialplan;

/// <summary>The snapshot cannot be rendered safely. Lists every offending item (not only the first) so one
/// apply shows the operator the whole clean-up list; nothing is written when this is thrown.</summary>
public sealed class DialplanException(IReadOnlyList<string> problems)
    : Exception("The dialplan was not rendered: " + problems.Count + " problem(s): " + string.Join("; ", problems.Take(20))
                + (problems.Count > 20 ? "; ..." : ""))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
