namespace Did.Infrastructure.Ami;

/// <summary>One priority of an extension as Asterisk has it installed (<c>Event: ListDialplan</c>).</summary>
/// <param name="PriorityText">As sent: a number, or <c>hint</c>.</param>
public sealed record AmiDialplanEntry(string Context, string Extension, string PriorityText, string Application,
    string AppData, string Registrar)
{
    /// <summary>The priority number; null for a hint.</summary>
    public int? Priority => int.TryParse(PriorityText, System.Globalization.NumberStyles.None,
        System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : null;

    public bool IsHint => PriorityText.Equals("hint", StringComparison.OrdinalIgnoreCase);
}

/// <summary>An <c>include =&gt;</c> of a context (<c>Event: ListDialplan</c> with <c>IncludeContext:</c>).</summary>
public sealed record AmiDialplanInclude(string Context, string IncludeContext, string Registrar);

public enum AmiDialplanLookup
{
    Found,
    /// <summary><c>Did not find context X</c>.</summary>
    ContextNotFound,
    /// <summary><c>Did not find extension E@X</c>: the context exists, nothing matches the number.</summary>
    ExtensionNotFound,
}

/// <summary>What <c>ShowDialPlan</c> listed for one context (optionally narrowed to the extensions matching a number,
/// patterns included).</summary>
public sealed record AmiDialplan(string Context, string? Extension, AmiDialplanLookup Lookup, string? Message,
    IReadOnlyList<AmiDialplanEntry> Entries, IReadOnlyList<AmiDialplanInclude> Includes)
{
    public bool Found => Lookup == AmiDialplanLookup.Found;
}
