using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A timestamp of the right shape that names no instant this service can hold is a 400 saying why, in a query
/// string and in a body alike: an offset beyond 14 hours, or an instant before 0001-01-01 or after 9999-12-31 in UTC.</summary>
public sealed class TimestampRangeTests : ApiFixture
{
    private static readonly string[] Offsets = ["2026-12-25T10:00:00+15:00", "2026-12-25T10:00:00-14:01"];
    private static readonly string[] Edges = ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00"];

    private async Task<string> QueryRefusalAsync(string sent) =>
        (await Problems.FieldErrorsAsync(await Admin.GetAsync($"/api/v1/audit-logs?from={Uri.EscapeDataString(sent)}"), "from"))[0];

    private async Task<string> BodyRefusalAsync(string sent)
    {
        var tenant = await CreateTenantAsync();
        return (await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "USER", tenant_id = tenant.Id, expires_at = sent }), "expires_at"))[0];
    }

    [Test]
    public async Task An_offset_beyond_14_hours_is_refused_saying_the_range_of_offsets()
    {
        foreach (var sent in Offsets)
        {
            Assert.That(await QueryRefusalAsync(sent), Does.Contain("between -14:00 and +14:00").And.Contain(sent), sent);
            Assert.That(await BodyRefusalAsync(sent), Does.Contain("between -14:00 and +14:00").And.Contain(sent), sent);
            var simulated = (await Problems.FieldErrorsAsync(await Admin.GetAsync(
                $"/api/v1/routing/simulate?number=%2B12125550100&at={Uri.EscapeDataString(sent)}"), "at"))[0];
            Assert.That(simulated, Does.Contain("between -14:00 and +14:00"), sent);
        }
    }

    [Test]
    public async Task An_instant_beyond_the_representable_range_is_refused_saying_so()
    {
        foreach (var sent in Edges)
        {
            Assert.That(await QueryRefusalAsync(sent), Does.Contain("0001-01-01T00:00:00Z").And.Contain("9999-12-31T23:59:59").And.Contain(sent), sent);
            Assert.That(await BodyRefusalAsync(sent), Does.Contain("0001-01-01T00:00:00Z").And.Contain("9999-12-31T23:59:59").And.Contain(sent), sent);
        }
    }

    [Test]
    public async Task A_date_that_does_not_exist_is_still_refused_as_such()
    {
        Assert.That(await QueryRefusalAsync("2026-02-30T10:00:00Z"), Does.Contain("not a date and time that exists"));
        Assert.That(await BodyRefusalAsync("2026-02-30T10:00:00Z"), Does.Contain("not a date and time that exists"));
    }
}
