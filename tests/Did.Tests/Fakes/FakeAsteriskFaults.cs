namespace Did.Tests.Fakes;

/// <summary>Faults a test switches on before (or during) a conversation with <see cref="FakeAsterisk"/>. Action names
/// are matched case-insensitively. Everything is off by default.</summary>
public sealed class FakeAsteriskFaults
{
    /// <summary>Accept each connection and reset it at once (no banner): the client sees a connection failure.</summary>
    public bool RefuseConnections { get; set; }

    /// <summary>Every Login fails as with a wrong secret (Error after <see cref="FakeAsteriskOptions.AuthFailureDelay"/>,
    /// then the connection closes).</summary>
    public bool RejectLogin { get; set; }

    /// <summary><c>Reload</c> of pbx_config answers <c>Response: Error</c> / <c>An unknown error occurred</c> and a Reload
    /// event with <c>Status: 3</c>; the installed dialplan is kept.</summary>
    public bool FailReload { get; set; }

    /// <summary>The Reload of pbx_config is queued (Asterisk booting): Success, event <c>Status: 1</c>, and only after this
    /// delay the dialplan is installed and an event <c>Status: 0</c> follows.</summary>
    public TimeSpan? QueueReloadFor { get; set; }

    /// <summary>A Reload of pbx_config waits at this gate (holding the reload lock) before it does anything.</summary>
    public FakeGate? HoldReload { get; set; }

    /// <summary>How long a Reload of pbx_config works before it answers; a second Reload waits for the first.</summary>
    public TimeSpan ReloadDuration { get; set; }

    /// <summary>Send the Reload event before the response (Asterisk publishes it asynchronously: either order occurs).</summary>
    public bool ReloadEventBeforeResponse { get; set; }

    /// <summary>Reload answers Success and Status 0 but installs nothing: the old dialplan stays.</summary>
    public bool ReloadInstallsNothing { get; set; }

    /// <summary>Reload installs this dialplan text instead of the file's (Asterisk installing something else).</summary>
    public string? ReloadInstallsText { get; set; }

    /// <summary>Reload installs the text (the file's, or <see cref="ReloadInstallsText"/>) as changed by this function: a
    /// switch that runs something slightly different from what was written (another argument, a missing line...).</summary>
    public Func<string, string>? ReloadRewrites { get; set; }

    /// <summary>Contexts silently dropped from what a reload installs.</summary>
    public ISet<string> ReloadDropsContexts { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Actions that are recorded but never answered (nor carried out).</summary>
    public ISet<string> NeverRespondTo { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Actions carried out, then the first half of the answer is sent and the connection closed.</summary>
    public ISet<string> DropConnectionMidResponse { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>After this many live changes (DialplanExtensionAdd/Remove) succeeded, the next one is carried out no more:
    /// the connection is closed without an answer, as when Asterisk dies in the middle of a delta.</summary>
    public int? DropConnectionAfterLiveChanges { get; set; }

    /// <summary>After this many live changes succeeded, every further one is refused (<c>Response: Error</c>).</summary>
    public int? RefuseLiveChangesAfter { get; set; }

    /// <summary>DialplanExtensionAdd installs the application data as changed by this function (a switch that runs
    /// something other than what it was told).</summary>
    public Func<string, string>? LiveChangeRewrites { get; set; }

    /// <summary>A ShowDialPlan waits at this gate before it answers (to make something happen between a change and its
    /// verification).</summary>
    public FakeGate? HoldShowDialPlan { get; set; }

    /// <summary>DialplanExtensionAdd and DialplanExtensionRemove answer <c>Permission denied</c> (an AMI user without
    /// the privilege they need) and change nothing.</summary>
    public bool DenyLiveChanges { get; set; }
}
