namespace Did.Infrastructure.Ami;

/// <summary>Bounds on what the server may send, so a broken or hostile peer cannot exhaust memory.</summary>
public sealed record AmiFramingLimits
{
    public static readonly AmiFramingLimits Default = new();

    /// <summary>Longest line, without its CRLF.</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    /// <summary>Most lines in one packet (a <c>Command</c> packet has one line per CLI output line).</summary>
    public int MaxPacketLines { get; init; } = 100_000;
}
