using Did.Dialplan;

namespace Did.Features.Ivrs;

/// <summary>Where an IVR key, its timeout or an invalid key sends the caller. <c>id</c> names the user, IVR or queue
/// (same tenant); HANGUP has none.</summary>
public sealed record IvrDestination(DestinationType Type, Guid? Id = null);

public sealed record IvrResponse(
    Guid Id, Guid TenantId, string Name, string Greeting, int TimeoutSeconds,
    IReadOnlyDictionary<string, IvrDestination> Options, IvrDestination TimeoutDestination, IvrDestination InvalidDestination,
    DateTime CreatedAt, DateTime UpdatedAt);
