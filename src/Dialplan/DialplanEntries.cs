namespace Did.Dialplan;

/// <summary>One priority as Asterisk installs it: what AMI ShowDialPlan reports as Extension, Priority,
/// Application and AppData. <see cref="Priority"/> is the number (an 'n' already counted, -1 for a hint).
/// <see cref="CallerId"/> is the caller-ID match of a variant (<c>exten =&gt; +15551230001/_+44.,1,...</c>), null for the
/// plain extension; ShowDialPlan does not report it.</summary>
public sealed record DialplanEntry(string Extension, int Priority, string? Label, string Application, string AppData, int LineNumber, string LineText,
    string? CallerId = null);

/// <summary>An <c>include =&gt;</c> line.</summary>
public sealed record DialplanInclude(string Context, int LineNumber, string LineText);

/// <summary>One <c>[context]</c> section, entries in file order. A context that appears twice in a file is yielded twice
/// (Asterisk merges them; the linter reports it).</summary>
public sealed record DialplanContext(string Name, int LineNumber, string LineText, IReadOnlyList<DialplanEntry> Entries, IReadOnlyList<DialplanInclude> Includes);

/// <summary>A line Asterisk would warn about, skip, or (for an unclosed '[') stop reading at.</summary>
public sealed record DialplanSyntaxError(LintRule Rule, int LineNumber, string LineText, string Message);
