namespace Did.Dialplan;

/// <summary>Which applications an EXTERNAL assignment may call. An allow-list, never a deny-list: a deny-list
/// of System() is bypassed by Set(x=${SHELL(...)}). Applications are matched case-insensitively (Asterisk
/// does) and written in the spelling given here.</summary>
public sealed class ExternalActionPolicy
{
    /// <summary>The applications every tenant may use: their arguments have dedicated checks in <see cref="ExternalAction"/>.</summary>
    public static readonly IReadOnlyList<string> DefaultApplications = ["VoiceMail", "Playback", "Goto", "Hangup", "Busy", "Congestion"];

    public static readonly ExternalActionPolicy Default = new(DefaultApplications);

    private readonly Dictionary<string, string> _canonical;

    public ExternalActionPolicy(IEnumerable<string> allowedApplications)
    {
        _canonical = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var app in allowedApplications)
        {
            if (!Grammar.IsTechnology(app)) // same shape as an application name: letters, digits, '_'
                throw new ArgumentException($"{Grammar.Quote(app)} is not an application name.", nameof(allowedApplications));
            _canonical[app] = app;
        }
        Applications = _canonical.Values.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The allowed applications, sorted.</summary>
    public IReadOnlyList<string> Applications { get; }

    /// <summary>The default list plus platform-chosen applications (e.g. Dial). Widened applications get the generic
    /// checks only: argument character set, length and tenant references. Choose them knowing that, e.g. Dial can
    /// reach any endpoint named in its argument.</summary>
    public ExternalActionPolicy Widen(params string[] applications) => new(Applications.Concat(applications));

    internal bool TryCanonical(ReadOnlySpan<char> application, out string canonical) =>
        _canonical.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(application, out canonical!);
}
