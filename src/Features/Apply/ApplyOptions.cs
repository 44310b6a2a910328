namespace Did.Features.Apply;

public sealed class ApplyOptions
{
    /// <summary>How long a second apply waits for the running one before it gets a 409.</summary>
    public int LockWaitSeconds { get; set; } = 10;
    /// <summary>Backups kept per file and node; older ones are deleted. At least 1: the backup an apply has just made is
    /// what its rollback restores.</summary>
    public int BackupsToKeep { get; set; } = 10;
    /// <summary>Where the dialplan is rendered once before it is copied to every node: a folder this process owns that no
    /// other user may write to; each process makes a private folder inside it. Unset: a private folder in the system
    /// temp folder.</summary>
    public string? WorkDir { get; set; }
    /// <summary>Parallel AMI connections used to verify a big dialplan after the reload.</summary>
    public int VerifyConnections { get; set; } = 2;
    /// <summary>The most priority changes an apply makes live over AMI (DialplanExtensionAdd/Remove) instead of reloading
    /// the dialplan; a bigger change is deployed by a reload. 0: every change by a reload.</summary>
    public int LiveDeltaMaxChanges { get; set; } = 2000;
    /// <summary>After a reload onto a switch whose previous deployment was verified, a dialplan of up to this many
    /// priorities is still listed whole; a bigger one only in the contexts that changed, the others checked to exist.</summary>
    public int VerifyAllUpToPriorities { get; set; } = 20_000;
    /// <summary>Run the apply pipeline once on a small synthetic dialplan after start-up, so the first real apply does not
    /// pay for compiling it.</summary>
    public bool WarmUp { get; set; } = true;
    /// <summary>The least time between two applies requested by a tenant's admins (per tenant, across replicas); a sooner
    /// one answers 429 with Retry-After. 0 turns it off. Platform admins are not limited.</summary>
    public int TenantMinIntervalSeconds { get; set; } = 10;
    /// <summary>Minutes between scheduled drift checks (one at a time across replicas); 0 turns the schedule off. A check
    /// on demand (POST /api/v1/apply/drift-checks) runs whatever this says.</summary>
    public int DriftCheckMinutes { get; set; } = 15;
    /// <summary>Previews and simulations of the pending dialplan rendered at once (<see cref="RenderSlots"/>).</summary>
    public int RenderConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);
    /// <summary>Previews and simulations that may wait for a render slot; more are refused with a 503 at once.</summary>
    public int RenderQueueLimit { get; set; } = 8 * Math.Max(1, Environment.ProcessorCount / 2);
    /// <summary>The longest a preview or simulation waits for a render slot before a 503 with Retry-After.</summary>
    public int RenderWaitMilliseconds { get; set; } = 10_000;
}
