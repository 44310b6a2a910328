using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Apply;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>A number taken back from its tenant is QUARANTINED: once applied, the switch answers a call to it with the
/// platform's quarantine intercept, not the old route and not the fallback, and the simulator says so.</summary>
public sealed class SimulateQuarantineTests : ApplyFixtureBase
{
    private static string Url(string number, string? extra = null) =>
        "/api/v1/routing/simulate?number=" + Uri.EscapeDataString(number) + (extra is null ? "" : "&" + extra);

    private static (string? Type, string? Value, string? End) Outcome(JsonElement body) =>
        (body.GetProperty("outcome").GetProperty("type").GetString(), body.GetProperty("outcome").GetProperty("value").GetString(),
            body.GetProperty("end").GetString());

    [Test]
    public async Task A_deallocated_routed_number_gets_the_quarantine_intercept_live_and_pending()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }),
            HttpStatusCode.Created);
        await ApplyOkAsync();
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{number.Id}/deallocate", null), HttpStatusCode.OK);

        var pending = await Expect(await Admin.GetAsync(Url(number.Number, "source=PENDING")), HttpStatusCode.OK);
        await ApplyOkAsync();
        var live = await Expect(await Admin.GetAsync(Url(number.Number)), HttpStatusCode.OK);

        Assert.That(Outcome(pending), Is.EqualTo(("QUARANTINE", "Playback(ss-noservice)", "HUNG_UP")));
        Assert.That(Outcome(live), Is.EqualTo(("QUARANTINE", "Playback(ss-noservice)", "HUNG_UP")));
        Assert.That(live.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("application").GetString()),
            Is.EqualTo(new[] { "Goto", "Playback", "Hangup" }));
        Assert.That(live.GetProperty("steps")[1].GetProperty("label").GetString(), Is.EqualTo("quarantine"));
    }

    [Test]
    public async Task The_tenant_the_number_was_taken_from_cannot_simulate_it()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{number.Id}/deallocate", null), HttpStatusCode.OK);

        await Expect(await AcmeAdmin.Client.GetAsync(Url(number.Number, "source=PENDING")), HttpStatusCode.NotFound);
    }
}
