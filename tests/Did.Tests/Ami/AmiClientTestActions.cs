using Did.Infrastructure.Ami;

namespace Did.Tests.Ami;

/// <summary>What a CLI command printed, one entry per output line (a blank CLI line is ""). <see cref="Success"/> is
/// false when Asterisk did not know the command (<c>Response: Error</c>, output says <c>No such command</c>).</summary>
public sealed record AmiCommandResult(bool Success, IReadOnlyList<string> Lines)
{
    public string Output => string.Join('\n', Lines);
}

/// <summary>AMI actions the tests use to probe a session and the fake switch (Apply itself sends only Login, Reload,
/// QueueReload, ShowDialPlan and Logoff), built on the client's connection.</summary>
internal static class AmiClientTestActions
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <exception cref="AmiException">No <c>Ping: Pong</c>.</exception>
    public static async Task PingAsync(this AmiClient client, CancellationToken ct = default)
    {
        var response = await client.SendActionAsync(new AmiAction("Ping"), ct);
        if (!string.Equals(response["Ping"], "Pong", StringComparison.OrdinalIgnoreCase))
            throw new AmiException("AMI Ping was not answered with Pong.");
    }

    /// <summary>Runs a CLI command. Reads both forms: <c>Output:</c> lines (Asterisk 21+) and the raw text ended by
    /// <c>--END COMMAND--</c> (<c>Response: Follows</c>, Asterisk 18-20).</summary>
    public static async Task<AmiCommandResult> CommandAsync(this AmiClient client, string cliCommand, CancellationToken ct = default)
    {
        var response = (await client.Connection.SendAsync(new AmiAction("Command").With("Command", cliCommand), null, Timeout, ct)).Response;
        var lines = response.GetAll("Output");
        if (response.IsError && lines.Count == 0) throw new AmiActionFailedException("Command", response.Message ?? "(no message)");
        return new AmiCommandResult(!response.IsError, lines);
    }

    /// <summary>Events that no action claimed, from now on.</summary>
    public static AmiEventSubscription SubscribeEvents(this AmiClient client) => client.Connection.Subscribe(_ => true);
}
