using Did.Infrastructure.Concurrency;
using Microsoft.Extensions.Options;

namespace Did.Infrastructure.Auth;

/// <summary>Bounds how many bcrypt computations run at once (<see cref="AuthOptions.HashingConcurrency"/>), with a queue
/// of <see cref="AuthOptions.HashingQueueLimit"/> waiting at most <see cref="AuthOptions.HashingWaitMilliseconds"/>: a flood
/// of sign-ins costs at most the slots' cores.</summary>
public sealed class HashingSlots(IOptions<AuthOptions> options) : WorkSlots(
    options.Value.HashingConcurrency, options.Value.HashingQueueLimit, options.Value.HashingWaitMilliseconds,
    "Busy checking passwords", "The service is checking as many passwords as it can at once");
