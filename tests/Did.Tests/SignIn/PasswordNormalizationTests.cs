using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>A password is the characters a person types, not the code points its keyboard happens to send: the same
/// accented password typed composed (é) on one system and decomposed (e + ◌́) on another signs in alike
/// (NFKC, as NIST SP 800-63B asks).</summary>
public sealed class PasswordNormalizationTests : ApiFixture
{
    private const string Composed = "caf\u00E9-horse-battery";
    private const string Decomposed = "cafe\u0301-horse-battery";
    private TestTenant _tenant = null!;

    [OneTimeSetUp]
    public async Task Tenant() => _tenant = await CreateTenantAsync();

    private async Task<string> CreateWithAsync(string password)
    {
        var email = $"{Unique("pn")}@example.com";
        await Expect(await Admin.PostAsJsonAsync("/api/v1/users",
            new { email, password, display_name = "Someone", role = "USER", tenant_id = _tenant.Id }), HttpStatusCode.Created);
        return email;
    }

    private Task<HttpResponseMessage> SignIn(string email, string password) =>
        Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password });

    [TestCase(Composed, Decomposed)]
    [TestCase(Decomposed, Composed)]
    public async Task A_password_set_in_one_form_signs_in_in_the_other(string set, string typed)
    {
        var email = await CreateWithAsync(set);

        await Expect(await SignIn(email, typed), HttpStatusCode.OK);
        await Expect(await SignIn(email, set), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_hash_made_before_normalizing_still_takes_the_password_as_typed_then()
    {
        var email = await CreateWithAsync("correct-horse-battery");
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE users SET password_hash = @hash WHERE email = @email",
                new { hash = BCrypt.Net.BCrypt.HashPassword(Decomposed, 4), email });

        await Expect(await SignIn(email, Decomposed), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_changed_password_signs_in_in_either_form()
    {
        var email = await CreateWithAsync("correct-horse-battery");
        var client = await SignInAsync(email, "correct-horse-battery");

        await Expect(await client.PostAsJsonAsync("/api/v1/auth/password",
            new { current_password = "correct-horse-battery", new_password = Decomposed }), HttpStatusCode.OK);

        await Expect(await SignIn(email, Composed), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_new_password_that_is_the_current_one_in_another_form_is_refused()
    {
        var email = await CreateWithAsync(Composed);
        var client = await SignInAsync(email, Composed);

        var body = await Expect(await client.PostAsJsonAsync("/api/v1/auth/password",
            new { current_password = Composed, new_password = Decomposed }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("new_password")[0].GetString(), Does.Contain("must differ"));
    }

    [Test]
    public async Task A_password_past_72_bytes_once_normalized_is_refused()
    {
        // U+FDFA is one character of 3 bytes that NFKC spells as 18 Arabic letters (33 bytes): 12 of them pass as 36
        // bytes typed but are 396 bytes to hash, past what bcrypt reads.
        var password = new string('\uFDFA', 12);

        var response = await Admin.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{Unique("pn")}@example.com", password, display_name = "Someone", role = "USER", tenant_id = _tenant.Id,
        });

        var body = await Expect(response, HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("password")[0].GetString(), Does.Contain("72 bytes"));
    }

    [TestCase("\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600", 6)] // 6 emoji, 12 UTF-16 units
    [TestCase("e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301", 6)] // 6 accented letters typed decomposed
    public async Task A_password_of_fewer_than_12_characters_is_refused_however_it_is_encoded(string password, int characters)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{Unique("pn")}@example.com", password, display_name = "Someone", role = "USER", tenant_id = _tenant.Id,
        });

        var body = await Expect(response, HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("password")[0].GetString(),
            Does.Contain("'password' must be 12 to 72 characters").And.Contain($"you sent {characters}"));
    }
}
