namespace Did.Infrastructure.Ami;

/// <summary>How to reach and log in to the Asterisk Manager Interface. Bound from <c>Asterisk:Ami</c>
/// (env: <c>Asterisk__Ami__Host</c>...). <see cref="Secret"/> is never logged, printed or put in an exception.</summary>
public sealed class AmiOptions
{
    public const string Section = "Asterisk:Ami";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5038;
    public string Username { get; set; } = "";
    public string Secret { get; set; } = "";

    /// <summary><c>md5</c> (default: Challenge, then Login with <c>Key</c>) or <c>plain</c> (Login with <c>Secret</c>).</summary>
    public string AuthType { get; set; } = "md5";

    /// <summary>The <c>Events:</c> header of the Login: which event classes this session receives. <c>system</c> carries
    /// the <c>Reload</c> events the client waits for and keeps call events off the wire. Empty sends
    /// no header (the user's configured classes apply).</summary>
    public string EventMask { get; set; } = "system";

    /// <summary>TCP connect plus banner.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait for the response to an ordinary action (and for a whole list action).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait for a reload to be answered and reported done. A real reload of a big dialplan takes tens of seconds,
    /// and a second Reload is answered only when the first has finished.</summary>
    public TimeSpan ReloadTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Connection attempts after the first one fails (authentication failures are never retried).</summary>
    public int ConnectRetries { get; set; } = 3;

    /// <summary>First retry delay; doubles each attempt, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connection failures within <see cref="BreakerSamplingDuration"/> (at least this many attempts, all failed)
    /// that open the circuit: then no connection is tried for <see cref="BreakerBreakDuration"/>.</summary>
    public int BreakerMinimumThroughput { get; set; } = 5;
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    internal bool UsesMd5 => AuthType.Equals("md5", StringComparison.OrdinalIgnoreCase);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("Asterisk:Ami:Host is required.");
        if (Port is < 1 or > 65535) throw new ArgumentException("Asterisk:Ami:Port must be 1-65535.");
        if (string.IsNullOrWhiteSpace(Username)) throw new ArgumentException("Asterisk:Ami:Username is required.");
        if (!UsesMd5 && !AuthType.Equals("plain", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("Asterisk:Ami:AuthType must be 'md5' or 'plain'.");
        if (ConnectRetries < 0) throw new ArgumentException("Asterisk:Ami:ConnectRetries must not be negative.");
    }

    /// <summary>Everything but the secret.</summary>
    public override string ToString() => $"AMI {Username}@{Host}:{Port} ({AuthType})";
}
