namespace Did.Features.Dids;

/// <summary>The answer of an import or a bulk change: either everything (failed 0) or nothing, with every problem listed.</summary>
public sealed record ImportResult(long Imported, long Failed, IReadOnlyList<string> Errors);
