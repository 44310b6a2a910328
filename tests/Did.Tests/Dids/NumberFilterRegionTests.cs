using System.Net;
using System.Text.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>The number filter of the list and of its export reads a whole number in any written form with the request's
/// default_region (else Dids__DefaultRegion, else only '+' forms); digits and '+digits' stay searches, as written.</summary>
public sealed class NumberFilterRegionTests : DidFixture
{
    private static readonly string[] Routes = ["/api/v1/dids", "/api/v1/dids/export"];

    private static string National(string e164) => $"({e164[2..5]}) {e164[5..8]}-{e164[8..]}";

    private static string Query(string number, string? region) =>
        "?number=" + Uri.EscapeDataString(number) + (region is null ? "" : "&default_region=" + region);

    private static string[] Numbers(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray();

    private async Task<string[]> ListAsync(string query) =>
        Numbers(await Expect(await Admin.GetAsync("/api/v1/dids" + query), HttpStatusCode.OK));

    private async Task<string[]> ExportAsync(string query)
    {
        var response = await Admin.GetAsync("/api/v1/dids/export" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]).ToArray();
    }

    [Test]
    public async Task A_national_form_with_default_region_finds_that_number_in_the_list_and_the_export()
    {
        var n = NewNumbers(2);
        await ImportAsync(n);

        Assert.That(await ListAsync(Query(National(n[0]), "US")), Is.EqualTo(new[] { n[0] }));
        Assert.That(await ListAsync(Query(National(n[1]), "us")), Is.EqualTo(new[] { n[1] }), "the region in any case, as the import reads it");
        Assert.That(await ExportAsync(Query(National(n[0]), "US")), Is.EqualTo(new[] { n[0] }));
        Assert.That(await ListAsync(Query("+1 " + National(n[1]), "GB")), Is.EqualTo(new[] { n[1] }), "a '+' form needs no region");
    }

    [Test]
    public async Task Without_any_region_a_national_form_is_a_400_with_libphonenumbers_reason_and_the_form_given()
    {
        var national = National(NewNumber());
        foreach (var route in Routes)
        {
            var messages = await Problems.FieldErrorsAsync(await Admin.GetAsync(route + Query(national, null)), "number");
            Assert.That(messages.Single(), Does.Contain($"Not a valid number (INVALID_COUNTRY_CODE): '{national}'")
                .And.Contain("a national form needs default_region"), route);
        }
    }

    [Test]
    public async Task A_whole_number_libphonenumber_refuses_for_the_region_is_a_400_with_its_reason()
    {
        foreach (var route in Routes)
        {
            var messages = await Problems.FieldErrorsAsync(await Admin.GetAsync(route + Query("(212) 555", "US")), "number");
            Assert.That(messages.Single(), Does.Contain("Not a valid number (").And.Contain("'(212) 555'"), route);
            Assert.That(messages.Single(), Does.Not.Contain("INVALID_COUNTRY_CODE"), "read with US, so the country is known");
        }
    }

    [TestCase("XX")]
    [TestCase("USA")]
    public async Task An_unknown_region_is_a_400_naming_it(string region)
    {
        foreach (var route in Routes)
        {
            var messages = await Problems.FieldErrorsAsync(await Admin.GetAsync(route + Query(National(NewNumber()), region)), "default_region");
            Assert.That(messages, Is.EqualTo(new[]
            {
                $"'default_region' must be an ISO 3166 region libphonenumber knows, such as US, GB or DE (you sent '{region}').",
            }), route);
        }
    }

    [Test]
    public async Task Digits_and_plus_digits_are_still_searched_as_written_whatever_the_region()
    {
        var n = NewNumbers(3);
        await ImportAsync(n);
        var prefix = n[0][..9]; // '+1', the area code and the exchange
        var digits = n[0][2..9];

        foreach (var search in new[] { prefix, digits })
        {
            var plain = await ListAsync(Query(search, null));
            Assert.That(plain, Is.SupersetOf(n.Where(x => x.Contains(search))).And.Not.Empty, search);
            Assert.That(await ListAsync(Query(search, "US")), Is.EqualTo(plain), $"{search}: default_region reads whole numbers only");
            Assert.That(await ListAsync(Query(search, "GB")), Is.EqualTo(plain), search);
            Assert.That(await ExportAsync(Query(search, "DE")), Is.EqualTo(await ExportAsync(Query(search, null))), search);
        }
        // Ten digits are a substring search, not the national form of one number: they match wherever they occur.
        Assert.That(await ListAsync(Query(n[1][2..], "US")), Is.EqualTo(new[] { n[1] }));
    }
}

/// <summary>With Dids__DefaultRegion set, a national form needs no parameter; a request's default_region still wins.</summary>
public sealed class NumberFilterConfiguredRegionTests : DidFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Dids:DefaultRegion"] = "US" };

    private async Task<string[]> ListAsync(string query) =>
        (await Expect(await Admin.GetAsync("/api/v1/dids" + query), HttpStatusCode.OK))
        .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray();

    [Test]
    public async Task The_configured_region_reads_a_national_form_and_the_requests_region_overrides_it()
    {
        var us = NewNumber();
        await ImportAsync(us, "+442079460123");
        var national = Uri.EscapeDataString($"({us[2..5]}) {us[5..8]}-{us[8..]}");
        var london = Uri.EscapeDataString("020 7946 0123");

        Assert.That(await ListAsync($"?number={national}"), Is.EqualTo(new[] { us }));
        var export = await (await Admin.GetAsync($"/api/v1/dids/export?number={national}")).Content.ReadAsStringAsync();
        Assert.That(export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { us }));

        Assert.That(await ListAsync($"?number={london}&default_region=GB"), Is.EqualTo(new[] { "+442079460123" }));
        var asUs = await Problems.FieldErrorsAsync(await Admin.GetAsync($"/api/v1/dids?number={london}"), "number");
        Assert.That(asUs.Single(), Does.Contain("Not a valid number (").And.Contain("'020 7946 0123'"), "read with US without the parameter");
    }
}
