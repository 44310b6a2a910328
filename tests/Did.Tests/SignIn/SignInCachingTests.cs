using System.Net;
using System.Net.Http.Json;
using Did.Infrastructure.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>Every answer of the sign-in and password endpoints carries <c>Cache-Control: no-store</c>, whatever its status:
/// a cache between the service and the client must keep none of them (the successes hold a token; the refusals say
/// which attempts were checked). One failure per email and address is allowed here, so a second attempt is a 429; the
/// one hashing slot can be held by the test, so a 503 is decided, not raced. Each test acts from addresses of its own.</summary>
public sealed class SignInCachingTests : ApiFixture
{
    private static int _host;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:SignIn:AccountFailures"] = "1",
        ["Auth:HashingConcurrency"] = "1",
        ["Auth:HashingQueueLimit"] = "0",
    };

    private static string NewAddress() => $"192.0.2.{Interlocked.Increment(ref _host)}";

    private async Task<TestUser> NewUserAsync() => await CreateUserAsync("USER", (await CreateTenantAsync()).Id);

    private static Task<HttpResponseMessage> SignIn(HttpClient from, string email, string password) =>
        from.PostAsJsonAsync("/api/v1/auth/token", new { email, password });

    private HttpClient WithToken(HttpClient signedIn, string address)
    {
        var client = ClientFrom(address);
        client.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        return client;
    }

    private static Task<HttpResponseMessage> Change(HttpClient client, string current) =>
        client.PostAsJsonAsync("/api/v1/auth/password", new { current_password = current, new_password = "staple-battery-horse-correct" });

    private async Task<HttpResponseMessage> WhileHashingIsBusyAsync(Func<Task<HttpResponseMessage>> send)
    {
        using (await App.Services.GetRequiredService<HashingSlots>().EnterAsync(CancellationToken.None))
            return await send();
    }

    private static async Task ExpectNoStoreAsync(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        await Expect(response, status);
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True, $"{what}: Cache-Control is '{response.Headers.CacheControl}'");
    }

    [Test]
    public async Task Every_answer_of_the_token_endpoint_is_kept_out_of_caches()
    {
        var user = await NewUserAsync();
        var from = ClientFrom(NewAddress());

        await ExpectNoStoreAsync(await SignIn(from, "", "any-password"), HttpStatusCode.BadRequest, "an invalid body");
        await ExpectNoStoreAsync(await WhileHashingIsBusyAsync(() => SignIn(from, user.Email, user.Password)),
            HttpStatusCode.ServiceUnavailable, "no hashing slot");
        await ExpectNoStoreAsync(await SignIn(from, user.Email, "wrong-password"), HttpStatusCode.Unauthorized, "a wrong password");
        await ExpectNoStoreAsync(await SignIn(from, user.Email, user.Password), HttpStatusCode.TooManyRequests, "a throttled attempt");
        await ExpectNoStoreAsync(await SignIn(ClientFrom(NewAddress()), user.Email, user.Password), HttpStatusCode.OK, "a sign-in");
    }

    [Test]
    public async Task Every_answer_of_the_password_endpoint_is_kept_out_of_caches()
    {
        var user = await NewUserAsync();
        var client = WithToken(user.Client, NewAddress());

        await ExpectNoStoreAsync(await Change(ClientFrom(NewAddress()), user.Password), HttpStatusCode.Unauthorized, "no token");
        await ExpectNoStoreAsync(await WhileHashingIsBusyAsync(() => Change(client, user.Password)),
            HttpStatusCode.ServiceUnavailable, "no hashing slot");
        await ExpectNoStoreAsync(await Change(client, "wrong-password"), HttpStatusCode.BadRequest, "a wrong current password");
        await ExpectNoStoreAsync(await Change(client, user.Password), HttpStatusCode.TooManyRequests, "a throttled attempt");
        await ExpectNoStoreAsync(await Change(WithToken(user.Client, NewAddress()), user.Password), HttpStatusCode.OK, "a change");
    }
}
