using System.ComponentModel;
using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>What a dry run would do: the diff against the live files, and the linter's findings. Nothing is changed. A
/// tenant admin's preview is of its own part only: its numbers, its lines, whether those change, no lint findings and
/// no content hash (the hash is of the whole platform's file), and only its own tenant's warnings.</summary>
public sealed record ApplyPreviewResponse(
    int NumbersRouted, string? ContentSha256, DiffStats DiffStats, string Diff, bool DiffTruncated, bool Changes,
    IReadOnlyList<LintFinding> LintFindings,
    [property: Description(ApplyJobResponse.WarningsDescription)] IReadOnlyList<RenderWarning> Warnings,
    [property: Description(ApplyJobResponse.WarningsTotalDescription)] int WarningsTotal)
{
    /// <summary>A preview that lists the first of <paramref name="warnings"/> and counts them all.</summary>
    public static ApplyPreviewResponse Of(int numbersRouted, string? contentSha256, DiffStats diffStats, string diff, bool diffTruncated,
        bool changes, IReadOnlyList<LintFinding> lintFindings, IReadOnlyList<RenderWarning> warnings) =>
        new(numbersRouted, contentSha256, diffStats, diff, diffTruncated, changes, lintFindings, RenderWarnings.First(warnings), warnings.Count);
}
