namespace Did.Infrastructure.Ami;

/// <summary>What a list action returned: its response, the events carrying its ActionID, and the closing event
/// (<c>EventList: Complete</c>), or only the response when Asterisk answered without a list (an error).</summary>
public sealed record AmiListResponse(AmiMessage Response, IReadOnlyList<AmiMessage> Events, AmiMessage? Complete);
