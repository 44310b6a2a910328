using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Apply;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>The simulator takes the dialled number in any written form, read with default_region (else
/// Dids__DefaultRegion, else only '+' forms), and answers exactly as for its E.164 form; caller_id stays as sent.</summary>
public sealed class SimulateNumberFormTests : ApplyFixtureBase
{
    private const string Moment = "at=2026-12-08T15:00:00Z&caller_id=" + "%28212%29%20555-0199";

    private static string Url(string number, string? extra = null) =>
        "/api/v1/routing/simulate?number=" + Uri.EscapeDataString(number) + "&" + Moment + (extra is null ? "" : "&" + extra);

    private static string National(string e164) => $"({e164[2..5]}) {e164[5..8]}-{e164[8..]}";

    private async Task<string> RoutedAsync()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }),
            HttpStatusCode.Created);
        await ApplyOkAsync();
        return number.Number;
    }

    [Test]
    public async Task International_and_national_forms_answer_exactly_as_the_E164_form()
    {
        var e164 = await RoutedAsync();
        var spaced = $"+1 {e164[2..5]} {e164[5..8]} {e164[8..]}";

        var expected = await Expect(await Admin.GetAsync(Url(e164)), HttpStatusCode.OK);
        var international = await Expect(await Admin.GetAsync(Url(spaced)), HttpStatusCode.OK);
        var national = await Expect(await Admin.GetAsync(Url(National(e164), "default_region=US")), HttpStatusCode.OK);
        var byTenantAdmin = await Expect(await AcmeAdmin.Client.GetAsync(Url(National(e164), "default_region=us")), HttpStatusCode.OK);

        Assert.That(expected.GetProperty("outcome").GetProperty("type").GetString(), Is.EqualTo("USER"));
        Assert.That(expected.GetProperty("number").GetString(), Is.EqualTo(e164));
        Assert.That(international.ToString(), Is.EqualTo(expected.ToString()));
        Assert.That(national.ToString(), Is.EqualTo(expected.ToString()));
        Assert.That(byTenantAdmin.ToString(), Is.EqualTo(expected.ToString()), "the tenant's own number, once read");
        Assert.That(national.GetProperty("caller_id").GetString(), Is.EqualTo("(212) 555-0199"), "caller_id is never read with the region");
    }

    [Test]
    public async Task Without_any_region_a_national_form_is_a_400_with_libphonenumbers_reason_and_the_form_given()
    {
        var national = National(await RoutedAsync());

        var messages = await Problems.FieldErrorsAsync(await Admin.GetAsync(Url(national)), "number");

        Assert.That(messages, Is.EqualTo(new[]
        {
            $"'number': Not a valid number (INVALID_COUNTRY_CODE): '{national}' (a national form needs default_region, or write it as +<country code><number>)",
        }));
    }

    [Test]
    public async Task A_number_libphonenumber_refuses_for_the_region_is_a_400_with_its_reason()
    {
        var messages = await Problems.FieldErrorsAsync(await Admin.GetAsync(Url("(212) 555", "default_region=US")), "number");

        Assert.That(messages.Single(), Does.StartWith("'number': Not a valid number (").And.Contain("'(212) 555'")
            .And.Not.Contain("INVALID_COUNTRY_CODE"));
    }

    [TestCase("XX")]
    [TestCase("USA")]
    public async Task An_unknown_region_is_a_400_naming_it(string region)
    {
        var messages = await Problems.FieldErrorsAsync(await Admin.GetAsync(Url("(212) 555-0100", "default_region=" + region)), "default_region");

        Assert.That(messages, Is.EqualTo(new[]
        {
            $"'default_region' must be an ISO 3166 region libphonenumber knows, such as US, GB or DE (you sent '{region}').",
        }));
    }

    [Test]
    public async Task An_E164_number_no_numbering_plan_has_is_still_walked_as_written()
    {
        // Numbers stored before numbers were validated may be such; the switch matches them as written.
        await ApplyOkAsync();

        var body = await Expect(await Admin.GetAsync(Url("+15551230001", "default_region=US")), HttpStatusCode.OK);

        Assert.That(body.GetProperty("number").GetString(), Is.EqualTo("+15551230001"));
        Assert.That(body.GetProperty("outcome").GetProperty("type").GetString(), Is.EqualTo("FALLBACK"));
    }
}

/// <summary>With Dids__DefaultRegion set, the simulator reads a national form without the parameter.</summary>
public sealed class SimulateConfiguredRegionTests : ApplyFixtureBase
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Dids:DefaultRegion"] = "US" };

    [Test]
    public async Task A_national_form_answers_exactly_as_the_E164_form()
    {
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }),
            HttpStatusCode.Created);
        var e164 = number.Number;
        const string rest = "&source=PENDING&at=2026-12-08T15:00:00Z";

        var expected = await Expect(await Admin.GetAsync("/api/v1/routing/simulate?number=" + Uri.EscapeDataString(e164) + rest), HttpStatusCode.OK);
        var national = await Expect(await Admin.GetAsync(
            "/api/v1/routing/simulate?number=" + Uri.EscapeDataString($"{e164[2..5]}-{e164[5..8]}-{e164[8..]}") + rest), HttpStatusCode.OK);

        Assert.That(expected.GetProperty("outcome").GetProperty("id").GetString(), Is.EqualTo(Alice.Id.ToString()));
        Assert.That(national.ToString(), Is.EqualTo(expected.ToString()));
    }
}
