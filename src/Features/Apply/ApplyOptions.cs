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
    /// <summary>Run the apply pipeline once on a small synthetic dialplan after start-up, so the first real apply does not
    /// pay for compiling it.</summary>
    public bool WarmUp { get; set; } = true;
}
