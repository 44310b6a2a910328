using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>JSON: RUNNING, SUCCEEDED, NO_CHANGES, ROLLED_BACK, FAILED.</summary>
public enum ApplyJobStatus { Running, Succeeded, NoChanges, RolledBack, Failed }

/// <summary>JSON: OK, FAILED, SKIPPED.</summary>
public enum ApplyStepStatus { Ok, Failed, Skipped }

/// <summary>One step of an apply (snapshot, render, lint, diff, backup, write, reload, verify, rollback), per node where
/// it touches a switch.</summary>
public sealed record ApplyStep(string Name, ApplyStepStatus Status, long DurationMs, string Output);

public sealed record ApplyJobResponse(
    Guid Id, ApplyJobStatus Status, Guid? RequestedBy, DateTime StartedAt, DateTime? FinishedAt, int? NumbersRouted,
    string? ContentSha256, DiffStats? DiffStats, IReadOnlyList<ApplyStep> Steps, string? Error);
