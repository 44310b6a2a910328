namespace Did.Infrastructure.Ami;

/// <summary>The <c>Status:</c> of an <c>Event: Reload</c>.</summary>
public enum AmiReloadStatus
{
    Done = 0,
    /// <summary>Asterisk is still booting: the reload is queued and nothing has been reloaded yet.</summary>
    Queued = 1,
    NotFound = 2,
    Error = 3,
    AlreadyInProgress = 4,
}

/// <summary>How a module reload ended. <see cref="Success"/> is true only when Asterisk answered Success and then
/// reported the reload done (<c>Event: Reload</c> with <c>Status: 0</c>); the response alone proves nothing.</summary>
/// <param name="Status">The last Reload event's status, null when none arrived (after an error response).</param>
/// <param name="Message">The response's <c>Message:</c>, or what went wrong.</param>
/// <param name="WasQueued">A <c>Status: 1</c> event came first (Asterisk was still booting).</param>
public sealed record AmiReloadResult(bool Success, string Module, AmiReloadStatus? Status, string Message, bool WasQueued);
