namespace Did.Infrastructure.Auth;

/// <summary>Builds the decoy hash while the service starts, so that the first sign-in with an unknown email costs the
/// same as every other one instead of twice as much (which would tell the caller the email is unknown).</summary>
public sealed class PasswordHasherWarmUp(PasswordHasher hasher) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        hasher.BuildDecoy();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
