using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>Creating a user and setting a user's password hash a password, so they meet the same bounded hashing slots as
/// a sign-in: with every slot taken and no queue, they are refused with a 503 and Retry-After, change nothing, and their
/// operations document that 503. A sign-in refused so was never checked, so it costs its email nothing. The test holds the
/// one slot itself, so the refusal is decided, not raced.</summary>
public sealed class BusyHashingTests : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:HashingConcurrency"] = "1",
        ["Auth:HashingQueueLimit"] = "0",
    };

    [Test]
    public async Task Creating_a_user_or_setting_a_password_while_hashing_is_busy_is_a_documented_503_that_changes_nothing()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        var email = $"{Unique("busy")}@example.com";
        HttpResponseMessage created, patched;
        using (await App.Services.GetRequiredService<HashingSlots>().EnterAsync(CancellationToken.None))
        {
            created = await Admin.PostAsJsonAsync("/api/v1/users",
                new { email, password = "correct-horse-battery", display_name = "Busy", role = "USER", tenant_id = tenant.Id });
            patched = await Patch(Admin, $"/api/v1/users/{user.Id}", new { password = "another-horse-battery" });
        }

        foreach (var response in new[] { created, patched })
        {
            await Expect(response, HttpStatusCode.ServiceUnavailable);
            Assert.That(response.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0));
        }
        await using var conn = await Db.OpenConnectionAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE email = @email", new { email }), Is.Zero);
        await SignInAsync(user.Email, user.Password);

        var doc = JsonDocument.Parse(await Anonymous.GetStringAsync("/openapi/v1.json")).RootElement;
        var responses = doc.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .ToDictionary(op => op.Value.GetProperty("operationId").GetString()!, op => op.Value.GetProperty("responses"));
        foreach (var operation in new[] { "CreateUser", "UpdateUser" })
            Assert.That(responses[operation].TryGetProperty("503", out _), Is.True, $"{operation} documents its 503");
    }

    [Test]
    public async Task A_sign_in_refused_for_busy_hashing_leaves_its_email_as_free_as_before()
    {
        var user = await CreateUserAsync("USER", (await CreateTenantAsync()).Id);
        var from = ClientFrom("203.0.113.201");
        for (var i = 0; i < 4; i++) // the default allowance is 5 failures: one more and the email waits
            await Expect(await from.PostAsJsonAsync("/api/v1/auth/token", new { email = user.Email, password = $"wrong-{i}" }),
                HttpStatusCode.Unauthorized);
        using (await App.Services.GetRequiredService<HashingSlots>().EnterAsync(CancellationToken.None))
            await Expect(await from.PostAsJsonAsync("/api/v1/auth/token", new { email = user.Email, password = "never-checked" }),
                HttpStatusCode.ServiceUnavailable);

        await Expect(await from.PostAsJsonAsync("/api/v1/auth/token", new { email = user.Email, password = user.Password }),
            HttpStatusCode.OK);
    }
}
