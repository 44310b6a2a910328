using Did.Dialplan;

namespace Did.Features.Apply;

// What each step of an apply hands on to the next, and what the job records of it. Summaries name files by their
// file name and nodes by their configured name, never by a server path: jobs are shown to tenant admins.

public sealed record SnapshotTaken(DialplanSnapshot Snapshot) : IApplyStepResult
{
    public string Summary => $"{Snapshot.Tenants.Count} tenants, {Snapshot.Numbers.Count} assigned numbers.";
}

/// <summary>Both files rendered into the job's private work folder.</summary>
public sealed record RenderedFiles(string ExtensionsPath, string QueuesPath, RenderResult Result) : IApplyStepResult
{
    public string Summary => $"{Result.Contexts} contexts, {Result.Shards} shards, {Result.NumbersRouted} numbers; sha256 {Result.ExtensionsSha256}." +
                             (Result.Warnings.Count > 0 ? $" {Result.Warnings.Count} warning(s): stale data left out, listed in the job's warnings." : "");
}

/// <summary>The rendered dialplan passed every check; <see cref="Digests"/> is what verify compares the switch with.</summary>
public sealed record LintedDialplan(IReadOnlyList<ContextDigest> Digests, int SectionsScanned) : IApplyStepResult
{
    public string Summary => $"No findings in {Digests.Count} contexts; {SectionsScanned} section(s) of the file scanned, the others unchanged since the last apply's lint.";
}

/// <summary>How one node's live files differ from the rendered ones.</summary>
public sealed record NodeDiff(AsteriskNode Node, bool ExtensionsChanged, bool QueuesChanged, DiffStats Stats) : IApplyStepResult
{
    public bool Changed => ExtensionsChanged || QueuesChanged;

    public string Summary => Changed
        ? $"+{Stats.LinesAdded} -{Stats.LinesRemoved} lines in {Stats.SectionsChanged + Stats.SectionsAdded + Stats.SectionsRemoved} sections."
        : "Live files are identical.";
}

/// <summary>A node's live files copied to its backup folder before anything was written.</summary>
public sealed record NodeBackup(AsteriskNode Node, IReadOnlyList<FileBackup> Files) : IApplyStepResult
{
    public string Summary => string.Join(", ", Files.Select(f => f.Existed ? f.Backup : $"{f.File} did not exist"));
}

public sealed record NodeWritten(AsteriskNode Node) : IApplyStepResult
{
    public string Summary => $"Wrote {DialplanRenderer.ExtensionsFileName} and {DialplanRenderer.QueuesFileName}.";
}

public sealed record NodeReloaded(AsteriskNode Node, string Summary) : IApplyStepResult;

/// <summary>The changes made live over AMI, without a reload; <see cref="Made"/> false when the AMI user may not make
/// them (none was made, and a reload deploys the files instead).</summary>
public sealed record NodeDelta(AsteriskNode Node, string? Done) : IApplyStepResult
{
    public bool Made => Done is not null;

    public string Summary => Done ?? "The AMI user may not change the dialplan live (Permission denied; it needs write = system): reloading instead.";
}

public sealed record NodeVerified(AsteriskNode Node, string Summary) : IApplyStepResult;

/// <summary>Every touched node put back as its backups hold it, and reloaded.</summary>
public sealed record RolledBack(string Summary) : IApplyStepResult;
