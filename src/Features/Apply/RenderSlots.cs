using Did.Infrastructure.Concurrency;
using Microsoft.Extensions.Options;

namespace Did.Features.Apply;

/// <summary>Bounds how many renders of the whole platform that deploy nothing (a preview, a simulation of the pending
/// dialplan) run at once (<see cref="ApplyOptions.RenderConcurrency"/>), with a queue of
/// <see cref="ApplyOptions.RenderQueueLimit"/> waiting at most <see cref="ApplyOptions.RenderWaitMilliseconds"/>. Each
/// such request holds a core for as long as the platform takes to render, and any reader may send them: without a bound,
/// one tenant admin's loop of previews would take every core from every other tenant.</summary>
public sealed class RenderSlots(IOptions<ApplyOptions> options) : WorkSlots(
    options.Value.RenderConcurrency, options.Value.RenderQueueLimit, options.Value.RenderWaitMilliseconds,
    "Busy rendering", "The service is rendering as many previews and simulations as it can at once");
