namespace Did.Features.Auth;

/// <summary>Sign-in throttling, bound from <c>Auth:SignIn</c> (env: <c>Auth__SignIn__AccountFailures</c>...).
/// See <see cref="SignInThrottle"/> for how the counts are kept.</summary>
public sealed class SignInOptions
{
    /// <summary>Failed sign-ins allowed for one email from one source address before each further one waits.</summary>
    public int AccountFailures { get; set; } = 5;

    /// <summary>Failed sign-ins allowed from one source address, whatever the emails, before each further one waits.</summary>
    public int AddressFailures { get; set; } = 20;

    /// <summary>The wait after the last allowed failure; it doubles with each failure after that.</summary>
    public int FirstBackoffSeconds { get; set; } = 30;

    /// <summary>The longest wait.</summary>
    public int MaxBackoffSeconds { get; set; } = 900;

    /// <summary>A count is forgotten this long after the latest attempt it saw (at least <see cref="MaxBackoffSeconds"/>).</summary>
    public int ForgetAfterSeconds { get; set; } = 1800;

    /// <summary>Requests to the token endpoint one source address may make per minute, whatever their outcome (counted in
    /// memory by each service process, before any database or hashing work); 0 turns this limit off.</summary>
    public int AddressRequestsPerMinute { get; set; } = 30;

    /// <summary>How often expired rows are deleted from <c>login_throttle</c>.</summary>
    public int PruneIntervalSeconds { get; set; } = 300;

    /// <summary>The wait after each count of failures, in seconds: index n - 1 holds the wait after the n-th failure
    /// (0 while failures remain), and the last entry, the longest wait, holds for every count beyond.</summary>
    public static int[] Backoff(int allowedFailures, int firstSeconds, int maxSeconds)
    {
        var waits = new List<int>();
        for (var n = 1; n < allowedFailures; n++) waits.Add(0);
        for (long wait = firstSeconds; ; wait *= 2)
        {
            waits.Add((int)Math.Min(wait, maxSeconds));
            if (wait >= maxSeconds) return [.. waits];
        }
    }

    internal string? Problem() =>
        AccountFailures < 1 || AddressFailures < 1 ? "Auth:SignIn:AccountFailures and AddressFailures must be at least 1."
        : FirstBackoffSeconds < 1 || MaxBackoffSeconds < FirstBackoffSeconds
            ? "Auth:SignIn:FirstBackoffSeconds must be at least 1 and MaxBackoffSeconds at least FirstBackoffSeconds."
        : ForgetAfterSeconds < MaxBackoffSeconds ? "Auth:SignIn:ForgetAfterSeconds must be at least MaxBackoffSeconds."
        : AddressRequestsPerMinute < 0 ? "Auth:SignIn:AddressRequestsPerMinute must be 0 (off) or more."
        : PruneIntervalSeconds < 1 ? "Auth:SignIn:PruneIntervalSeconds must be at least 1."
        : null;
}
