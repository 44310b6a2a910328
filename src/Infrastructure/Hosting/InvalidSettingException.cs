namespace Did.Infrastructure.Hosting;

/// <summary>A setting the service needs is missing or unusable. The message names the setting and says what to set; at
/// start-up it is printed as one line (<see cref="StartupFailure"/>).</summary>
public sealed class InvalidSettingException(string message) : InvalidOperationException(message);
