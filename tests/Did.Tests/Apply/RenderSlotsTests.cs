using System.Net;
using Did.Features.Apply;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>A preview and a simulation of the pending dialplan each render the whole platform, so they share bounded render
/// slots: with every slot taken and no queue, both are refused with a 503 and Retry-After, and once a slot is free they
/// answer again. The test holds the one slot itself, so the refusal is decided, not raced.</summary>
public sealed class RenderSlotsTests : ApplyFixtureBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Apply:RenderConcurrency"] = "1",
        ["Apply:RenderQueueLimit"] = "0",
    };

    [Test]
    public async Task Previews_and_pending_simulations_beyond_the_render_slots_are_a_503_with_retry_after()
    {
        var number = await RouteAnotherNumberAsync();
        var simulate = $"/api/v1/routing/simulate?number={Uri.EscapeDataString(number.Number)}&source=PENDING";
        HttpResponseMessage preview, tenantPreview, simulation;
        using (await App.Services.GetRequiredService<RenderSlots>().EnterAsync(CancellationToken.None))
        {
            preview = await PostApply(dryRun: true);
            tenantPreview = await PostApply(AcmeAdmin.Client, dryRun: true);
            simulation = await AcmeAdmin.Client.GetAsync(simulate);
        }

        foreach (var response in new[] { preview, tenantPreview, simulation })
        {
            var body = await Expect(response, HttpStatusCode.ServiceUnavailable);
            Assert.That(response.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0));
            Assert.That(body.GetProperty("detail").GetString(), Does.Contain("rendering"));
        }
        await Expect(await PostApply(dryRun: true), HttpStatusCode.OK);
        await Expect(await AcmeAdmin.Client.GetAsync(simulate), HttpStatusCode.OK);
    }
}
