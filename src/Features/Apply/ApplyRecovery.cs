using Did.Infrastructure.Auth;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>Jobs that a stopped process left RUNNING (recovery runs only under the apply lock, so none of them is still
/// running): each is rolled back from what it left in the configured nodes' own backup folders, found by the job's id,
/// and marked FAILED with what happened. Nothing else in the job row is read: a row that names other files or folders
/// cannot make recovery touch them.</summary>
public static class ApplyRecovery
{
    private const string Stopped = "The process running this apply stopped before it finished.";

    public static async Task RecoverAsync(NpgsqlDataSource db, IReadOnlyList<AsteriskNode> nodes, RequestContext ctx, ILogger log, CancellationToken ct)
    {
        foreach (var jobId in await ApplyJobStore.StaleAsync(db, ct))
            await ApplyJobStore.MarkFailedAsync(db, ctx, jobId, await RollBackAsync(jobId, nodes, log), ct);
    }

    private static async Task<string> RollBackAsync(Guid jobId, IReadOnlyList<AsteriskNode> nodes, ILogger log)
    {
        var touched = nodes.Where(n => NodeFiles.HasBackups(n, jobId)).ToList();
        if (touched.Count == 0) return Stopped + " It had not touched any live file.";
        try
        {
            var rolledBack = await ApplyRollback.RunAsync(new RollbackPlan(jobId, touched));
            log.LogWarning("Apply job {Job} was left running by a stopped process and has been rolled back: {Summary}", jobId, rolledBack.Summary);
            return Stopped + " Live files were restored from its backups.";
        }
        catch (Exception e)
        {
            log.LogError(e, "Recovery of apply job {Job} failed", jobId);
            return Stopped + $" Restoring its backups failed: {ApplyStepLog.Describe(e)}";
        }
    }
}
