using System.ComponentModel;
using Did.Dialplan;
using Did.Infrastructure.Json;

namespace Did.Features.Apply;

/// <summary>JSON: RUNNING, SUCCEEDED, NO_CHANGES, ROLLED_BACK, FAILED.</summary>
public enum ApplyJobStatus { Running, Succeeded, NoChanges, RolledBack, Failed }

/// <summary>JSON: OK, FAILED, SKIPPED.</summary>
public enum ApplyStepStatus { Ok, Failed, Skipped }

/// <summary>One step of an apply (snapshot, render, lint, diff, backup, write, reload, verify, rollback), per node where
/// it touches a switch.</summary>
public sealed record ApplyStep(string Name, ApplyStepStatus Status, long DurationMs, string Output);

/// <param name="RequestedBy">The caller whose request started the job; for a tenant admin, null unless that is itself.</param>
/// <param name="NumbersRouted">How many numbers the render routed, on the whole platform; null for a tenant admin.</param>
/// <param name="ContentSha256">The SHA-256 of the rendered platform-wide file; null for a tenant admin.</param>
/// <param name="DiffStats">How the first node's files changed, for every tenant; null for a tenant admin.</param>
/// <param name="TenantIds">The tenants the job deployed from the database, every other tenant staying as last deployed;
/// null: the whole platform. A tenant admin sees only its own tenant here.</param>
/// <param name="Warnings">What the job's render left out of the dialplan (<see cref="RenderWarning"/>), the first
/// <see cref="RenderWarnings.Listed"/>; a tenant admin sees only its own tenant's among them.</param>
/// <param name="WarningsTotal">How many warnings the render gave (a tenant admin: about its own tenant).</param>
public sealed record ApplyJobResponse(
    Guid Id, ApplyJobStatus Status, Guid? RequestedBy, DateTime StartedAt, DateTime? FinishedAt, int? NumbersRouted,
    string? ContentSha256, DiffStats? DiffStats, IReadOnlyList<ApplyStep> Steps, string? Error, IReadOnlyList<Guid>? TenantIds,
    [property: Description(ApplyJobResponse.WarningsDescription)] IReadOnlyList<RenderWarning> Warnings,
    [property: Description(ApplyJobResponse.WarningsTotalDescription)] int WarningsTotal)
{
    public const string WarningsDescription =
        "Stale data the render left out of the dialplan (a rule or failover whose destination leads nowhere, a number whose " +
        "destination is gone, an IVR option rendered as Hangup()...): calls do not go where the data says. Each names its " +
        "tenant (null: platform-wide), the number where there is one, and what was left out. Ordered by text, then tenant; " +
        "at most the first 1,000 (warnings_total counts them all). Empty when the data is clean or nothing was rendered; a " +
        "tenant admin sees only its own tenant's: in a job, those among the first 1,000 the job kept.";

    public const string WarningsTotalDescription =
        "How many warnings the render gave, listed or not (a tenant admin: about its own tenant). More than the length of " +
        "warnings when the list was cut at 1,000.";

    /// <summary>The job's warning count per tenant, over all of them and not only the listed ones: what a tenant admin's
    /// <see cref="WarningsTotal"/> is read from. Not part of the answer.</summary>
    internal IReadOnlyDictionary<Guid, int> WarningsByTenant { get; init; } = new Dictionary<Guid, int>();

    /// <summary>What a tenant admin reads instead of a step's output or a job's error that describes the whole platform.</summary>
    public const string PlatformDetail = "shown to platform admins and support: it describes the whole platform.";

    /// <summary>The job as <paramref name="ctx"/> may see it: a tenant admin reads a job that carried its request, which
    /// renders, diffs and verifies every tenant. Other tenants' ids, requester and warnings are not its to see, nor the
    /// platform-wide figures (numbers routed, hash, diff stats, the counts in the steps' outputs) and the error and step
    /// outputs that may name other tenants' contexts and lines: it keeps each step's name, status and duration, and the
    /// outputs of the steps that only name files (backup, write).</summary>
    public ApplyJobResponse For(Infrastructure.Auth.RequestContext ctx) => ctx.Role == Infrastructure.Auth.Role.TenantAdmin
        ? this with
        {
            RequestedBy = RequestedBy == ctx.ActorId ? RequestedBy : null,
            TenantIds = TenantIds?.Where(t => t == ctx.TenantId).ToList(),
            Warnings = RenderWarnings.Of(Warnings, ctx.TenantId),
            WarningsTotal = ctx.TenantId is { } tenant ? WarningsByTenant.GetValueOrDefault(tenant) : 0,
            NumbersRouted = null,
            ContentSha256 = null,
            DiffStats = null,
            Steps = [.. Steps.Select(s => NamesOnlyFiles(s) ? s : s with { Output = "Output " + PlatformDetail })],
            Error = Error is null ? null : $"The apply ended {ApiJson.Name(Status)}. The reason is {PlatformDetail}",
        }
        : this;

    private static bool NamesOnlyFiles(ApplyStep step) => step.Name.StartsWith("backup:", StringComparison.Ordinal) || step.Name.StartsWith("write:", StringComparison.Ordinal);
}
