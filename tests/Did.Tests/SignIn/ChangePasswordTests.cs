using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using Did.Features.Auth;
using Did.Infrastructure.Auth;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>POST /api/v1/auth/password: a signed-in person changes its own password, on the real database. The current
/// password is checked under the sign-in throttle (default allowance: 5 failures per email and address). Each test
/// acts from addresses of its own, so the counts of one never touch another's.</summary>
public sealed class ChangePasswordTests : ApiFixture
{
    private const string Route = "/api/v1/auth/password";
    private const string NewPassword = "staple-battery-horse-correct";
    private static int _host;

    private static string NewAddress() => $"198.51.100.{Interlocked.Increment(ref _host)}";

    private async Task<TestUser> NewUserAsync(string role = "USER") =>
        await CreateUserAsync(role, role is "USER" or "TENANT_ADMIN" ? (await CreateTenantAsync()).Id : null);

    private static string TokenOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>A client sending <paramref name="token"/> from <paramref name="address"/>.</summary>
    private HttpClient WithToken(string token, string address)
    {
        var client = ClientFrom(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static Task<HttpResponseMessage> Change(HttpClient client, string current, string replacement) =>
        client.PostAsJsonAsync(Route, new { current_password = current, new_password = replacement });

    private Task<HttpResponseMessage> SignIn(string email, string password, string? address = null) =>
        (address is null ? Anonymous : ClientFrom(address)).PostAsJsonAsync("/api/v1/auth/token", new { email, password });

    private async Task<int> FailuresAsync(string address, string email)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>(
            "SELECT coalesce(max(failures), 0) FROM login_throttle WHERE address = @address::inet AND account = @account",
            new { address = SignInKey.NetworkOf(IPAddress.Parse(address)), account = SignInKey.For(IPAddress.Parse(address), email).Account });
    }

    [TestCase("USER")]
    [TestCase("SUPPORT")]
    public async Task A_person_changes_its_password_then_signs_in_with_the_new_one_and_not_the_old(string role)
    {
        var user = await NewUserAsync(role);
        var client = WithToken(TokenOf(user.Client), NewAddress());

        var response = await Change(client, user.Password, NewPassword);

        var body = await Expect(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        });
        await Expect(await SignIn(user.Email, NewPassword), HttpStatusCode.OK);
        await Expect(await SignIn(user.Email, user.Password), HttpStatusCode.Unauthorized);
        var fresh = ClientWithToken(body.GetProperty("access_token").GetString()!);
        await Expect(await fresh.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task Every_other_token_of_the_user_stops_working_at_once()
    {
        var user = await NewUserAsync();
        var other = await SignInAsync(user.Email, user.Password);
        await Expect(await other.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        var client = WithToken(TokenOf(user.Client), NewAddress());

        await Expect(await Change(client, user.Password, NewPassword), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That((await other.GetAsync($"/api/v1/users/{user.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized),
                "another token of the user");
            Assert.That((await client.GetAsync($"/api/v1/users/{user.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized),
                "the token that made the change");
        });
    }

    [Test]
    public async Task A_wrong_current_password_is_a_400_naming_it_that_changes_nothing()
    {
        var user = await NewUserAsync();
        var client = WithToken(TokenOf(user.Client), NewAddress());

        var response = await Change(client, "not-the-password-at-all", NewPassword);

        var messages = await Problems.FieldErrorsAsync(response, "current_password");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(messages, Has.Some.Contains("not this account's current password"));
            Assert.That(text, Does.Not.Contain("not-the-password-at-all").And.Not.Contain(NewPassword));
        });
        await Expect(await client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        await Expect(await SignIn(user.Email, user.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task Wrong_current_passwords_count_as_failed_sign_ins_and_share_the_wait()
    {
        var user = await NewUserAsync();
        var address = NewAddress();
        var client = WithToken(TokenOf(user.Client), address);
        // Two failed sign-ins and three wrong current passwords from one address: the account's allowance of 5.
        for (var i = 0; i < 2; i++)
            await Expect(await SignIn(user.Email, $"wrong-sign-in-{i}", address), HttpStatusCode.Unauthorized);
        for (var i = 0; i < 3; i++)
            await Problems.FieldErrorsAsync(await Change(client, $"wrong-current-{i}", NewPassword), "current_password");
        Assert.That(await FailuresAsync(address, user.Email), Is.EqualTo(5));

        // The right password now waits too, unchecked, here and at the token endpoint from the same address.
        var refused = await Change(client, user.Password, NewPassword);
        var body = await Expect(refused, HttpStatusCode.TooManyRequests);
        var seconds = body.GetProperty("retry_after_seconds").GetInt32();
        Assert.Multiple(() =>
        {
            Assert.That(seconds, Is.GreaterThan(0).And.LessThanOrEqualTo(30));
            Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.EqualTo(seconds), "header and body agree");
        });
        await Expect(await SignIn(user.Email, user.Password, address), HttpStatusCode.TooManyRequests);
        // Nothing changed: the old password still signs in from another address.
        await Expect(await SignIn(user.Email, user.Password, NewAddress()), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_right_current_password_clears_the_accounts_failures_from_that_address()
    {
        var user = await NewUserAsync();
        var address = NewAddress();
        var client = WithToken(TokenOf(user.Client), address);
        await Problems.FieldErrorsAsync(await Change(client, "wrong-current", NewPassword), "current_password");
        Assert.That(await FailuresAsync(address, user.Email), Is.EqualTo(1));

        await Expect(await Change(client, user.Password, NewPassword), HttpStatusCode.OK);

        Assert.That(await FailuresAsync(address, user.Email), Is.Zero);
    }

    [TestCase("short-pw", PasswordPolicy.TooShort, "must be 12 to 72 characters")]
    [TestCase("123456789qwe", PasswordPolicy.TooCommon, PasswordPolicy.TooCommon)]
    [TestCase("€€€€€€€€€€€€€€€€€€€€€€€€€", PasswordPolicy.TooLong, PasswordPolicy.TooLong)]
    public async Task A_new_password_that_breaks_a_rule_is_a_400_naming_the_rule_not_the_password(string replacement, string rule, string message)
    {
        var user = await NewUserAsync();
        var address = NewAddress();
        var client = WithToken(TokenOf(user.Client), address);

        var response = await Change(client, user.Password, replacement);

        var messages = await Problems.FieldErrorsAsync(response, "new_password");
        Assert.Multiple(async () =>
        {
            Assert.That(messages, Has.Some.Contains(message), rule);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain(replacement).And.Not.Contain(user.Password));
            Assert.That(await FailuresAsync(address, user.Email), Is.Zero, "refused before the current password was checked");
        });
        await Expect(await client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
        await Expect(await SignIn(user.Email, user.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task The_new_password_must_differ_from_the_current_one()
    {
        var user = await NewUserAsync();
        var client = WithToken(TokenOf(user.Client), NewAddress());

        var messages = await Problems.FieldErrorsAsync(await Change(client, user.Password, user.Password), "new_password");

        Assert.That(messages, Has.Some.Contains("must differ from 'current_password'"));
        await Expect(await client.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task An_unknown_property_is_refused_by_name()
    {
        var user = await NewUserAsync();
        var client = WithToken(TokenOf(user.Client), NewAddress());

        var response = await SendJson(client, HttpMethod.Post, Route,
            $"{{\"current_password\":\"{user.Password}\",\"new_password\":\"{NewPassword}\",\"password\":\"x\"}}");

        var body = await Expect(response, HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'password'"));
        await Expect(await SignIn(user.Email, user.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task An_api_key_has_no_password_to_change()
    {
        var tenant = await CreateTenantAsync();
        var created = await Expect(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = Unique("key"), role = "USER", tenant_id = tenant.Id }), HttpStatusCode.Created);
        var key = WithToken(created.GetProperty("secret").GetString()!, NewAddress());

        var body = await Expect(await Change(key, "correct-horse-battery", NewPassword), HttpStatusCode.Forbidden);

        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("API key has no password"));
    }

    [Test]
    public async Task Without_a_credential_it_is_a_401()
    {
        var response = await ClientFrom(NewAddress()).PostAsJsonAsync(Route,
            new { current_password = "correct-horse-battery", new_password = NewPassword });
        await Expect(response, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task The_change_is_audited_without_any_secret()
    {
        var user = await NewUserAsync();
        string oldHash;
        await using (var conn = await Db.OpenConnectionAsync())
            oldHash = await conn.ExecuteScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", new { id = user.Id }) ?? "";

        await Expect(await Change(WithToken(TokenOf(user.Client), NewAddress()), user.Password, NewPassword), HttpStatusCode.OK);

        await using var db = await Db.OpenConnectionAsync();
        var newHash = await db.ExecuteScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", new { id = user.Id }) ?? "";
        var rows = (await db.QueryAsync<(Guid? ActorId, Guid? TenantId, string Row)>("""
            SELECT actor_id, tenant_id, row_to_json(a)::text FROM audit_logs a
            WHERE action = 'CHANGE_PASSWORD' AND entity_type = 'USER' AND entity_id = @id
            """, new { id = user.Id })).ToList();
        Assert.That(rows, Has.Count.EqualTo(1));
        var (actor, tenantId, row) = rows[0];
        Assert.Multiple(() =>
        {
            Assert.That(actor, Is.EqualTo(user.Id), "the user changed it");
            Assert.That(tenantId, Is.EqualTo(user.TenantId));
            Assert.That(row, Does.Contain(user.Email), "the row shows whose password it was");
            Assert.That(newHash, Is.Not.EqualTo(oldHash));
            foreach (var secret in new[] { user.Password, NewPassword, oldHash, newHash, "password", "$2" })
                Assert.That(row, Does.Not.Contain(secret));
        });
    }
}
