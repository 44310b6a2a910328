namespace Did.Features.Dids;

public sealed record BulkResult(long Updated, long Failed, IReadOnlyList<string> Errors);
