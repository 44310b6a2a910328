using System.Security.Cryptography;

namespace Did.Dialplan;

/// <summary>What one section, scanned alone and free of findings of its own, gives the checks across contexts: its
/// contexts (extensions, priorities, labels), its Goto destinations and includes, and each context's digest numbered
/// from the section's first line.</summary>
internal sealed record LintedSection(
    IReadOnlyDictionary<string, DialplanLintPass.ContextInfo> Contexts,
    IReadOnlyList<DialplanLintPass.GotoRef> Gotos,
    IReadOnlyList<DialplanInclude> Includes,
    IReadOnlyList<ContextDigest> Digests);

/// <summary>The sha256 of a section's bytes.</summary>
internal readonly record struct SectionKey(UInt128 High, UInt128 Low)
{
    public static SectionKey Of(ReadOnlySpan<byte> bytes)
    {
        Span<byte> sha = stackalloc byte[32];
        SHA256.HashData(bytes, sha);
        return new(BitConverter.ToUInt128(sha), BitConverter.ToUInt128(sha[16..]));
    }
}

/// <summary>The sections of the last file that <see cref="DialplanLinter.LintBySection"/> linted without a finding, by
/// the sha256 of their bytes, so that the next file is scanned only where it differs. A section's own checks depend on
/// its bytes alone, because the scanner starts afresh at every header; the checks across contexts run again over every
/// Goto whose destination is a context of a section that changed. A cryptographic hash, because a section taken as
/// already seen is not scanned again and tenants write some of its bytes. Holds the sections of one file, the last one
/// linted, for the options it was linted with.</summary>
public sealed class LintedSections
{
    private Dictionary<SectionKey, LintedSection> _sections = [];
    private DialplanLintOptions? _options;

    /// <summary>How many sections are remembered.</summary>
    public int Count => _sections.Count;

    /// <summary>How many sections of the last file linted without a finding had to be scanned (the others were remembered).</summary>
    public int LastScanned { get; private set; }

    /// <summary>How many Goto destinations the checks across contexts looked up in the last file linted without a finding:
    /// those whose destination can have changed since the file before.</summary>
    public int LastCheckedGotos { get; private set; }

    /// <summary>The sections remembered from a file linted with <paramref name="options"/>; none for other options.</summary>
    internal IReadOnlyDictionary<SectionKey, LintedSection> LintedWith(DialplanLintOptions options) =>
        Same(options) ? _sections : new Dictionary<SectionKey, LintedSection>();

    /// <summary>Remembers the sections of the file just linted, which had no finding, instead of the previous file's.</summary>
    internal void Replace(Dictionary<SectionKey, LintedSection> sections, DialplanLintOptions options, int scanned, int checkedGotos)
    {
        _sections = sections;
        LastScanned = scanned;
        LastCheckedGotos = checkedGotos;
        _options = options;
    }

    private bool Same(DialplanLintOptions options) =>
        _options is { } o &&
        options.AllowedApplications.SequenceEqual(o.AllowedApplications, StringComparer.OrdinalIgnoreCase) &&
        options.ExternalContexts.SequenceEqual(o.ExternalContexts, StringComparer.Ordinal);
}
