using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Emails beyond ASCII: one address is one account however its letters are cased or composed, and whoever has
/// an account signs in with the address it was created with.</summary>
public sealed class UnicodeEmailTests : ApiFixture
{
    private const string Password = "correct-horse-battery";
    private TestTenant _tenant = null!;

    [OneTimeSetUp]
    public async Task Tenant() => _tenant = await CreateTenantAsync();

    private Task<HttpResponseMessage> Create(string email) => Admin.PostAsJsonAsync("/api/v1/users",
        new { email, password = Password, display_name = "Someone", role = "USER", tenant_id = _tenant.Id });

    private Task<HttpResponseMessage> SignIn(string email) =>
        Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password = Password });

    [TestCase("\u0130van")] // İ: .NET's invariant lower case and PostgreSQL's lower() differ on it
    [TestCase("\u01C5ra")] // ǅ, a title-case letter
    [TestCase("\u00C9mile")] // É
    public async Task A_user_signs_in_with_the_email_it_was_created_with(string local)
    {
        var email = $"{local}{Unique("")}@example.com";
        await Expect(await Create(email), HttpStatusCode.Created);

        await Expect(await SignIn(email), HttpStatusCode.OK);
    }

    [Test]
    public async Task An_email_written_decomposed_is_the_same_account_as_its_composed_form()
    {
        var id = Unique("");
        var composed = $"\u00E9mile{id}@example.com"; // é as one code point
        var decomposed = $"e\u0301mile{id}@example.com"; // e, then the combining acute accent
        var created = await Expect(await Create(decomposed), HttpStatusCode.Created);
        Assert.That(created.GetProperty("email").GetString(), Is.EqualTo(composed), "stored composed (NFC)");

        var body = await Expect(await Create(composed), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("email"));
        await Expect(await SignIn(composed), HttpStatusCode.OK);
        await Expect(await SignIn(decomposed), HttpStatusCode.OK);
    }

    [TestCase("\u200B")] // zero-width space
    [TestCase("\u202E")] // right-to-left override
    [TestCase("\u00AD")] // soft hyphen
    public async Task An_email_with_an_invisible_character_is_a_400_naming_the_field(string invisible)
    {
        var email = $"alice{invisible}{Unique("")}@example.com";

        var body = await Expect(await Create(email), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("email")[0].GetString(), Does.Contain("invisible"));

        var user = await CreateUserAsync("USER", _tenant.Id);
        body = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { email }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("email")[0].GetString(), Does.Contain("invisible"));
    }

    [Test]
    public async Task An_email_changed_to_a_decomposed_form_is_stored_composed_and_signs_in()
    {
        var user = await CreateUserAsync("USER", _tenant.Id);
        var id = Unique("");
        var body = await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { email = $"Zo\u0308e{id}@example.com" }), HttpStatusCode.OK);

        Assert.That(body.GetProperty("email").GetString(), Is.EqualTo($"Z\u00F6e{id}@example.com"));
        await Expect(await SignIn($"z\u00F6e{id}@example.com"), HttpStatusCode.OK);
    }
}
