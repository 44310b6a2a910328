namespace Did.Infrastructure.Ami;

/// <summary>What a CLI command printed, one entry per output line (a blank CLI line is ""). <see cref="Success"/> is
/// false when Asterisk did not know the command (<c>Response: Error</c>, output says <c>No such command</c>).</summary>
public sealed record AmiCommandResult(bool Success, IReadOnlyList<string> Lines)
{
    public string Output => string.Join('\n', Lines);
}
