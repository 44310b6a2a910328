using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Names people pick from lists and read in the audit log (tenants, users' display names, API keys, a
/// schedule's closed dates) refuse the invisible characters that make one name look like another, naming the character
/// by its code point; the joiners Persian, Indic scripts and emoji are spelt with stay; names are stored composed (NFC).</summary>
public sealed class InvisibleNameTests : ApiFixture
{
    private TestTenant _tenant = null!;

    [OneTimeSetUp]
    public async Task Tenant() => _tenant = await CreateTenantAsync();

    public static IEnumerable<TestCaseData> Invisibles()
    {
        yield return new TestCaseData("\u202E", "U+202E").SetArgDisplayNames("right-to-left override");
        yield return new TestCaseData("\u2066", "U+2066").SetArgDisplayNames("left-to-right isolate");
        yield return new TestCaseData("\u2069", "U+2069").SetArgDisplayNames("pop directional isolate");
        yield return new TestCaseData("\u200B", "U+200B").SetArgDisplayNames("zero-width space");
        yield return new TestCaseData("\uFEFF", "U+FEFF").SetArgDisplayNames("byte order mark");
        yield return new TestCaseData("\u00AD", "U+00AD").SetArgDisplayNames("soft hyphen");
        yield return new TestCaseData("\u2028", "U+2028").SetArgDisplayNames("line separator");
        yield return new TestCaseData("\u2029", "U+2029").SetArgDisplayNames("paragraph separator");
        yield return new TestCaseData("\U000E0041", "U+E0041").SetArgDisplayNames("tag letter A");
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string codePoint)
    {
        var messages = await Problems.FieldErrorsAsync(response, field);
        Assert.That(messages, Has.Some.Contains("invisible").And.Contains(codePoint).And.Contains("at character 3"));
    }

    [TestCaseSource(nameof(Invisibles))]
    public async Task A_tenant_named_or_renamed_with_an_invisible_character_is_a_400_naming_it(string invisible, string codePoint)
    {
        var name = $"Ac{invisible}me {Unique("")}";
        await AssertRefusedAsync(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name, slug = Unique("inv") }), "name", codePoint);
        await AssertRefusedAsync(await Patch(Admin, $"/api/v1/tenants/{_tenant.Id}", new { name }), "name", codePoint);

        var after = await Expect(await Admin.GetAsync($"/api/v1/tenants/{_tenant.Id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("name").GetString(), Is.EqualTo(_tenant.Name));
    }

    [TestCaseSource(nameof(Invisibles))]
    public async Task A_display_name_with_an_invisible_character_is_a_400_naming_it(string invisible, string codePoint)
    {
        var display_name = $"Al{invisible}ice";
        await AssertRefusedAsync(await Admin.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{Unique("u")}@example.com", password = "correct-horse-battery", display_name, role = "USER", tenant_id = _tenant.Id,
        }), "display_name", codePoint);
        var user = await CreateUserAsync("USER", _tenant.Id);
        await AssertRefusedAsync(await Patch(Admin, $"/api/v1/users/{user.Id}", new { display_name }), "display_name", codePoint);
    }

    [TestCaseSource(nameof(Invisibles))]
    public async Task An_api_key_or_closed_date_name_with_an_invisible_character_is_a_400_naming_it(string invisible, string codePoint)
    {
        var name = $"Ke{invisible}y";
        await AssertRefusedAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys", new { name, role = "SUPPORT" }), "name", codePoint);
        await AssertRefusedAsync(await Admin.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = Unique("s"), timezone = "UTC", tenant_id = _tenant.Id,
            closed_dates = new[] { new { date = "2026-12-25", name = $"Xm{invisible}as" } },
        }), "closed_dates[0].name", codePoint);
    }

    [TestCase("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")] // Persian "I want", with a zero-width non-joiner
    [TestCase("\u0915\u094D\u200D\u0937")] // Devanagari half form, with a zero-width joiner
    [TestCase("\U0001F469\u200D\U0001F4BB Team")] // woman technologist, an emoji ZWJ sequence
    public async Task A_name_spelt_with_a_joiner_is_accepted_as_sent(string name)
    {
        var tenant = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name, slug = Unique("zw") }), HttpStatusCode.Created);
        Assert.That(tenant.GetProperty("name").GetString(), Is.EqualTo(name));

        var user = await Expect(await Admin.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{Unique("u")}@example.com", password = "correct-horse-battery", display_name = name, role = "USER", tenant_id = _tenant.Id,
        }), HttpStatusCode.Created);
        Assert.That(user.GetProperty("display_name").GetString(), Is.EqualTo(name));
    }

    [TestCase("\u200D")]
    [TestCase("\u200C \u200D")]
    public async Task A_name_of_joiners_alone_is_a_400_on_name(string name)
    {
        var refused = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name, slug = Unique("zj") }), HttpStatusCode.BadRequest);
        Assert.That(refused.GetProperty("errors").GetProperty("name")[0].GetString(), Does.Contain("at least one visible character"));
    }

    [Test]
    public async Task Names_are_stored_composed()
    {
        var id = Unique("");
        var tenant = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = $"Mu\u0308ller {id}", slug = Unique("nfc") }), HttpStatusCode.Created);
        Assert.That(tenant.GetProperty("name").GetString(), Is.EqualTo($"M\u00FCller {id}"));
        var renamed = await Expect(await Patch(Admin, $"/api/v1/tenants/{tenant.GetProperty("id").GetGuid()}", new { name = $"Mu\u0308ller & Co {id}" }), HttpStatusCode.OK);
        Assert.That(renamed.GetProperty("name").GetString(), Is.EqualTo($"M\u00FCller & Co {id}"));
        var singleton = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = $"\u212Bngstr\u00F6m {id}", slug = Unique("nfc") }), HttpStatusCode.Created);
        Assert.That(singleton.GetProperty("name").GetString(), Is.EqualTo($"\u00C5ngstr\u00F6m {id}"), "the angstrom sign becomes the letter \u00C5");

        var user = await Expect(await Admin.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{Unique("u")}@example.com", password = "correct-horse-battery", display_name = "Zo\u0308e", role = "USER", tenant_id = _tenant.Id,
        }), HttpStatusCode.Created);
        Assert.That(user.GetProperty("display_name").GetString(), Is.EqualTo("Z\u00F6e"));
        var patched = await Expect(await Patch(Admin, $"/api/v1/users/{user.GetProperty("id").GetGuid()}", new { display_name = "Rene\u0301e" }), HttpStatusCode.OK);
        Assert.That(patched.GetProperty("display_name").GetString(), Is.EqualTo("Ren\u00E9e"));

        var key = await Expect(await Admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "Mu\u0308ller's script", role = "SUPPORT" }), HttpStatusCode.Created);
        Assert.That(key.GetProperty("name").GetString(), Is.EqualTo("M\u00FCller's script"));

        var schedule = await Expect(await Admin.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = Unique("s"), timezone = "UTC", tenant_id = _tenant.Id,
            closed_dates = new[] { new { date = "2026-12-25", name = " Noe\u0308l " } },
        }), HttpStatusCode.Created);
        Assert.That(schedule.GetProperty("closed_dates")[0].GetProperty("name").GetString(), Is.EqualTo("No\u00EBl"));
    }
}
