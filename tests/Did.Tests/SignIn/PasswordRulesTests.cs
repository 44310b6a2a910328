using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>The rules a new password must meet, as a client meets them: at user creation and at a password change.</summary>
public sealed class PasswordRulesTests : ApiFixture
{
    private TestTenant _tenant = null!;

    [OneTimeSetUp]
    public async Task Tenant() => _tenant = await CreateTenantAsync();

    private Task<HttpResponseMessage> CreateWith(string password) => Admin.PostAsJsonAsync("/api/v1/users",
        new { email = $"{Unique("pw")}@example.com", password, display_name = "Someone", role = "USER", tenant_id = _tenant.Id });

    private static async Task<string> RefusalOfPasswordAsync(HttpResponseMessage response, string password)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.Not.Contain(password), "a refusal never echoes the password");
        var body = await Expect(response, HttpStatusCode.BadRequest);
        var errors = body.GetProperty("errors").GetProperty("password");
        Assert.That(errors.GetArrayLength(), Is.EqualTo(1), "one reason per password");
        return errors[0].GetString()!;
    }

    [Test]
    public async Task A_password_shorter_than_12_characters_is_refused()
    {
        const string password = "eleven-char";
        Assert.That(await RefusalOfPasswordAsync(await CreateWith(password), password), Does.Contain("12 to 72 characters"));
    }

    [Test]
    public async Task A_password_past_72_bytes_is_refused_because_bcrypt_would_ignore_the_rest()
    {
        var password = new string('é', 40); // 40 characters, 80 bytes in UTF-8
        Assert.That(await RefusalOfPasswordAsync(await CreateWith(password), password), Does.Contain("72 bytes"));
    }

    [Test]
    public async Task A_password_of_exactly_72_bytes_is_accepted_and_signs_in()
    {
        var email = $"{Unique("pw")}@example.com";
        var password = "ü" + new string('x', 70); // 71 characters, 72 bytes
        await Expect(await Admin.PostAsJsonAsync("/api/v1/users",
            new { email, password, display_name = "Someone", role = "USER", tenant_id = _tenant.Id }), HttpStatusCode.Created);
        await SignInAsync(email, password);
    }

    [TestCase("qwerty123456")]
    [TestCase("QWERTY123456")]
    [TestCase("1qaz2wsx3edc")]
    public async Task A_common_password_is_refused_whatever_its_case(string password) =>
        Assert.That(await RefusalOfPasswordAsync(await CreateWith(password), password), Does.Contain("most common passwords"));

    [Test]
    public async Task A_password_change_meets_the_same_rules()
    {
        var user = await CreateUserAsync("USER", _tenant.Id);
        const string password = "short-pw";
        var refused = await Patch(Admin, $"/api/v1/users/{user.Id}", new { password });
        Assert.That(await RefusalOfPasswordAsync(refused, password), Does.Contain("12 to 72 characters"));
        await SignInAsync(user.Email, user.Password);
    }

    [Test]
    public async Task The_openapi_document_states_the_length_limits()
    {
        var doc = JsonDocument.Parse(await Anonymous.GetStringAsync("/openapi/v1.json")).RootElement;
        var password = doc.GetProperty("components").GetProperty("schemas").GetProperty("CreateUserRequest")
            .GetProperty("properties").GetProperty("password");
        Assert.Multiple(() =>
        {
            Assert.That(password.GetProperty("minLength").GetInt32(), Is.EqualTo(12));
            Assert.That(password.GetProperty("maxLength").GetInt32(), Is.EqualTo(72));
        });
    }
}
