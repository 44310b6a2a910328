using System.ComponentModel;
using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>What a dry run would do: the diff against the live files, and the linter's findings. Nothing is changed. A
/// tenant admin's preview is of its own part only: its numbers, its lines, whether those change, no lint findings and
/// no content hash (the hash is of the whole platform's file), and only its own tenant's warnings.</summary>
public sealed record ApplyPreviewResponse(
    int NumbersRouted, string? ContentSha256, DiffStats DiffStats, string Diff, bool DiffTruncated, bool Changes,
    IReadOnlyList<LintFinding> LintFindings,
    [property: Description(ApplyJobResponse.WarningsDescription)] IReadOnlyList<RenderWarning> Warnings);
