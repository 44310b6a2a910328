namespace Did.Infrastructure.Ami;

/// <summary>Something went wrong talking to Asterisk over AMI. Subclasses say what.</summary>
public class AmiException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The TCP connection could not be opened, or it closed (or broke) while an answer was awaited.</summary>
public class AmiConnectionException(string message, Exception? inner = null) : AmiException(message, inner);

/// <summary>No connection is tried: too many recent attempts failed (circuit breaker open).</summary>
public sealed class AmiCircuitOpenException(string message, Exception? inner = null) : AmiConnectionException(message, inner);

/// <summary>Asterisk refused the username/secret. Never retried: a wrong secret stays wrong.</summary>
public sealed class AmiAuthenticationException(string message) : AmiException(message);

/// <summary>The server sent bytes that are not AMI (bad banner, line too long, control characters...).</summary>
public sealed class AmiProtocolException(string message) : AmiException(message);

/// <summary>No (complete) answer within the configured time; the connection may still be open.</summary>
public sealed class AmiTimeoutException(string message) : AmiException(message);

/// <summary>Asterisk answered <c>Response: Error</c>; <see cref="Exception.Message"/> carries its <c>Message:</c>.</summary>
public sealed class AmiActionFailedException(string action, string serverMessage)
    : AmiException($"AMI action {action} failed: {serverMessage}")
{
    public string Action { get; } = action;
    public string ServerMessage { get; } = serverMessage;
}

/// <summary>Asterisk answered <c>Permission denied</c> to every action sent: the AMI user lacks the class those actions
/// need, and none of them was carried out.</summary>
public sealed class AmiPermissionDeniedException(string action) : AmiException($"AMI action {action} is not permitted to this AMI user (Permission denied).")
{
    public string Action { get; } = action;
}
