namespace Did.Features.Dids;

/// <summary>The answer of a bulk allocate or deallocate that changed every number (failed 0); a refused one changes
/// nothing and is a 400 whose <c>errors</c> lists every problem.</summary>
public sealed record BulkResult(long Updated, long Failed);
