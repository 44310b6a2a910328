using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Did.Infrastructure.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class AuthTests : ApiFixture
{
    [Test]
    public async Task Token_is_issued_as_bearer_with_its_lifetime()
    {
        var response = await Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = DidApp.AdminEmail, password = DidApp.AdminPassword });
        var body = await Expect(response, HttpStatusCode.OK);
        Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
        Assert.That(body.GetProperty("expires_in").GetInt32(), Is.EqualTo(15 * 60));
        Assert.That(body.GetProperty("access_token").GetString()!.Split('.'), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task Email_is_matched_case_insensitively()
    {
        var response = await Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = DidApp.AdminEmail.ToUpperInvariant(), password = DidApp.AdminPassword });
        await Expect(response, HttpStatusCode.OK);
    }

    [Test]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        var wrong = await Expect(await Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = user.Email, password = "not-the-password" }), HttpStatusCode.Unauthorized);
        var unknown = await Expect(await Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = "nobody-" + user.Email, password = "not-the-password" }), HttpStatusCode.Unauthorized);
        Assert.That(wrong.GetProperty("detail").GetString(), Is.EqualTo(unknown.GetProperty("detail").GetString()));
        Assert.That(wrong.GetProperty("title").GetString(), Is.EqualTo(unknown.GetProperty("title").GetString()));
    }

    [Test]
    public async Task Token_stops_working_when_its_user_is_deleted()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.NoContent);
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_token_served_from_the_validated_token_cache_still_stops_working_when_its_user_is_deleted()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        var token = user.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        Assert.That(App.Services.GetRequiredService<ValidatedTokenCache>().Holds(token), Is.True);
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.NoContent);
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Token_stops_working_when_its_role_changes()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { role = "USER" }), HttpStatusCode.OK);
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        var again = await SignInAsync(user.Email, user.Password);
        await Expect(await again.PostAsJsonAsync("/api/v1/users", new { }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Token_stops_working_when_its_tenant_changes()
    {
        var first = await CreateTenantAsync();
        var second = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", first.Id);
        await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { tenant_id = second.Id }), HttpStatusCode.OK);
        await Expect(await user.Client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Token_stops_working_when_the_password_changes()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { password = "a-brand-new-password" }), HttpStatusCode.OK);
        await Expect(await user.Client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.Unauthorized);
        await SignInAsync(user.Email, "a-brand-new-password");
    }

    // Each forgery below keeps every claim of a real, live token (issuer, audience, lifetime, subject, stamp), so the
    // signature is the only thing wrong with it: with signature checking off, each would be accepted.

    [Test]
    public async Task A_real_tokens_claims_signed_with_another_key_are_refused()
    {
        var (client, token) = await RealTokenAsync();
        await Expect(await client.GetAsync("/api/v1/tenants"), HttpStatusCode.OK);
        var otherKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("another-signing-key-that-is-long-enough-0123456789"));
        var forged = new JsonWebTokenHandler().CreateToken(Payload(token), new SigningCredentials(otherKey, SecurityAlgorithms.HmacSha256));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(Payload(forged)), JsonNode.Parse(Payload(token))), Is.True, "the same claims");
        await ExpectRefused(forged);
    }

    [Test]
    public async Task A_real_tokens_claims_unsigned_with_alg_none_are_refused()
    {
        var (_, token) = await RealTokenAsync();
        var parts = token.Split('.');
        var forged = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.";
        await ExpectRefused(forged);
    }

    [Test]
    public async Task A_real_token_with_a_changed_claim_under_its_original_signature_is_refused()
    {
        var (_, token) = await RealTokenAsync("USER");
        var parts = token.Split('.');
        var claims = JsonNode.Parse(Payload(token))!.AsObject();
        Assert.That(claims["role"]!.GetValue<string>(), Is.EqualTo("USER"));
        claims["role"] = "PLATFORM_ADMIN";
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(claims.ToJsonString())}.{parts[2]}";
        await ExpectRefused(forged);
    }

    /// <summary>A signed-in tenant admin (or <paramref name="role"/>) and its token, proven good.</summary>
    private async Task<(HttpClient Client, string Token)> RealTokenAsync(string role = "TENANT_ADMIN")
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync(role, tenant.Id);
        await Expect(await user.Client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        return (user.Client, user.Client.DefaultRequestHeaders.Authorization!.Parameter!);
    }

    private static string Payload(string token) => Base64UrlEncoder.Decode(token.Split('.')[1]);

    private async Task ExpectRefused(string forged)
    {
        var body = await Expect(await ClientWithToken(forged).GetAsync("/api/v1/tenants"), HttpStatusCode.Unauthorized);
        Assert.That(body.GetProperty("status").GetInt32(), Is.EqualTo(401));
    }

    [Test]
    public async Task The_token_response_tells_caches_not_to_store_it()
    {
        var response = await Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = DidApp.AdminEmail, password = DidApp.AdminPassword });
        await Expect(response, HttpStatusCode.OK);
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
    }

    [Test]
    public async Task Missing_fields_in_the_token_request_are_a_400_problem()
    {
        var body = await Expect(await SendJson(Anonymous, HttpMethod.Post, "/api/v1/auth/token", "{\"email\":\"a@b.c\"}"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("password"));
    }
}
