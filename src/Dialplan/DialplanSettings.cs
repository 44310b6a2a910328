namespace Did.Dialplan;

/// <summary>Platform-wide rendering choices (configuration, not tenant input). Validated by the renderer like any input.</summary>
public sealed record DialplanSettings
{
    /// <summary>What a call to a number nobody is assigned gets. One application call, checked with
    /// <see cref="ExternalAction.ParsePlatform"/> (no tenant references allowed).</summary>
    public string FallbackAction { get; init; } = "Congestion()";

    /// <summary>What a call to a QUARANTINED number gets, followed by Hangup(). One application call, checked like
    /// <see cref="FallbackAction"/> (no tenant references allowed).</summary>
    public string QuarantineAction { get; init; } = "Playback(ss-noservice)";

    /// <summary>Channel technology of user endpoints, e.g. PJSIP.</summary>
    public string EndpointTechnology { get; init; } = "PJSIP";

    /// <summary>Endpoint name of a user; placeholders {slug} and {extension}. Default gives PJSIP/acme-1001.</summary>
    public string EndpointFormat { get; init; } = "{slug}-{extension}";

    /// <summary>Dial timeout for a user's phone, seconds.</summary>
    public int RingSeconds { get; init; } = 30;

    /// <summary>After an unanswered Dial: VoiceMail(ext@tenant-slug) when true, otherwise straight to Hangup().</summary>
    public bool VoicemailOnNoAnswer { get; init; } = true;

    /// <summary>How many trailing digits a shard covers: 3 means at most 1,000 numbers per did-* context.
    /// Asterisk reloads a context in time that grows much faster than its size (docs/asterisk.md).</summary>
    public int ShardDigits { get; init; } = 3;

    /// <summary>Answer() before Queue() so callers hear music on hold instead of ringing.</summary>
    public bool AnswerBeforeQueue { get; init; } = true;

    /// <summary>Applications a tenant may use in an EXTERNAL assignment.</summary>
    public ExternalActionPolicy ExternalActions { get; init; } = ExternalActionPolicy.Default;
}
