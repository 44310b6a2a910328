using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Features.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>Sign-in throttling by source address and by email from that address, on the real database. Each test signs
/// in from addresses of its own, so the counts of one never touch another's.</summary>
public sealed class SignInThrottleTests : ApiFixture
{
    private const string Proxy = "10.9.9.9";
    private static int _host;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:SignIn:AccountFailures"] = "3",
        ["Auth:SignIn:AddressFailures"] = "10",
        ["Auth:SignIn:FirstBackoffSeconds"] = "60",
        ["Auth:SignIn:MaxBackoffSeconds"] = "600",
        ["ForwardedHeaders:KnownProxies"] = Proxy,
    };

    private static string NewAddress() => $"203.0.113.{Interlocked.Increment(ref _host)}";

    private static Task<HttpResponseMessage> SignIn(HttpClient from, string email, string password) =>
        from.PostAsJsonAsync("/api/v1/auth/token", new { email, password });

    private static async Task FailAsync(HttpClient from, string email, int times)
    {
        for (var i = 0; i < times; i++)
            await Expect(await SignIn(from, email, $"wrong-password-{i}"), HttpStatusCode.Unauthorized);
    }

    private static async Task<int> RetryAfterOfRefusalAsync(HttpResponseMessage response)
    {
        var body = await Expect(response, HttpStatusCode.TooManyRequests);
        var seconds = body.GetProperty("retry_after_seconds").GetInt32();
        Assert.That(response.Headers.RetryAfter?.Delta?.TotalSeconds, Is.EqualTo(seconds), "header and body agree");
        return seconds;
    }

    private async Task<TestUser> NewUserAsync() => await CreateUserAsync("USER", (await CreateTenantAsync()).Id);

    private async Task<int> RowsAsync(string address)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM login_throttle WHERE address = @address::inet", new { address });
    }

    /// <summary>Ends the current wait of every count of the address, as the passing of time would.</summary>
    private async Task EndWaitAsync(string address)
    {
        await using var conn = await Db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE login_throttle SET blocked_until = now() WHERE address = @address::inet", new { address });
    }

    [Test]
    public async Task Failures_from_one_address_make_it_wait_but_the_owner_signs_in_from_another()
    {
        var user = await NewUserAsync();
        var attacker = ClientFrom(NewAddress());
        await FailAsync(attacker, user.Email, 3);

        var wait = await RetryAfterOfRefusalAsync(await SignIn(attacker, user.Email, user.Password));
        Assert.That(wait, Is.GreaterThan(0).And.LessThanOrEqualTo(60));
        await Expect(await SignIn(ClientFrom(NewAddress()), user.Email, user.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task Parallel_wrong_guesses_for_one_account_are_checked_no_more_than_the_allowed_number()
    {
        var user = await NewUserAsync();
        var address = NewAddress();
        var from = ClientFrom(address);

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => SignIn(from, user.Email, $"parallel-guess-{i}")));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        await using var conn = await Db.OpenConnectionAsync();
        var counted = await conn.ExecuteScalarAsync<int>(
            "SELECT failures FROM login_throttle WHERE address = @address::inet AND account = @account",
            new { address, account = SignInKey.For(IPAddress.Parse(address), user.Email).Account });
        Assert.Multiple(() =>
        {
            Assert.That(statuses.Count(s => s == HttpStatusCode.Unauthorized), Is.EqualTo(3), "guesses whose password was checked");
            Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.EqualTo(97));
            Assert.That(counted, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task An_unknown_email_is_refused_exactly_like_a_known_one()
    {
        var user = await NewUserAsync();
        var ghost = $"{Unique("ghost")}@example.com";
        var fromKnown = ClientFrom(NewAddress());
        var fromUnknown = ClientFrom(NewAddress());
        await FailAsync(fromKnown, user.Email, 3);
        await FailAsync(fromUnknown, ghost, 3);

        var known = await SignIn(fromKnown, user.Email, "wrong-password");
        var unknown = await SignIn(fromUnknown, ghost, "wrong-password");
        var knownBody = await Expect(known, HttpStatusCode.TooManyRequests);
        var unknownBody = await Expect(unknown, HttpStatusCode.TooManyRequests);
        Assert.Multiple(() =>
        {
            Assert.That(unknownBody.GetProperty("title").GetString(), Is.EqualTo(knownBody.GetProperty("title").GetString()));
            Assert.That(unknown.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0).And.LessThanOrEqualTo(60));
            Assert.That(known.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0).And.LessThanOrEqualTo(60));
        });
    }

    [Test]
    public async Task Failures_spread_over_many_emails_make_the_address_wait()
    {
        var user = await NewUserAsync();
        var sprayer = ClientFrom(NewAddress());
        for (var i = 0; i < 10; i++)
            await FailAsync(sprayer, $"{Unique("spray")}@example.com", 1);

        await RetryAfterOfRefusalAsync(await SignIn(sprayer, user.Email, user.Password));
        await Expect(await SignIn(ClientFrom(NewAddress()), user.Email, user.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task Random_emails_from_one_address_add_no_more_rows_than_its_allowance()
    {
        var address = NewAddress();
        var from = ClientFrom(address);
        for (var i = 0; i < 40; i++)
            await SignIn(from, $"{Unique("random")}@example.com", "any-password-at-all");

        Assert.That(await RowsAsync(address), Is.EqualTo(1 + 10), "the address's row and one per email it was allowed to try");
    }

    [Test]
    public async Task Each_failure_after_a_wait_doubles_the_next_wait_and_the_owner_gets_in_once_it_ends()
    {
        var user = await NewUserAsync();
        var address = NewAddress();
        var from = ClientFrom(address);
        await FailAsync(from, user.Email, 3);
        Assert.That(await RetryAfterOfRefusalAsync(await SignIn(from, user.Email, "wrong-password")), Is.LessThanOrEqualTo(60));

        await EndWaitAsync(address);
        await FailAsync(from, user.Email, 1);
        Assert.That(await RetryAfterOfRefusalAsync(await SignIn(from, user.Email, user.Password)), Is.GreaterThan(60).And.LessThanOrEqualTo(120));

        await EndWaitAsync(address);
        await Expect(await SignIn(from, user.Email, user.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_sign_in_past_the_address_s_allowance_leaves_the_next_person_free_and_a_failure_still_waits()
    {
        var first = await NewUserAsync();
        var second = await NewUserAsync();
        var address = NewAddress();
        var office = ClientFrom(address);
        for (var i = 0; i < 10; i++)
            await FailAsync(office, $"{Unique("typo")}@example.com", 1);
        await RetryAfterOfRefusalAsync(await SignIn(office, first.Email, first.Password));
        await EndWaitAsync(address);

        await Expect(await SignIn(office, first.Email, first.Password), HttpStatusCode.OK);
        await Expect(await SignIn(office, second.Email, second.Password), HttpStatusCode.OK);
        await FailAsync(office, second.Email, 1);
        await RetryAfterOfRefusalAsync(await SignIn(office, second.Email, second.Password));
    }

    [Test]
    public async Task Attempts_refused_for_their_email_s_wait_cost_their_address_nothing()
    {
        var locked = await NewUserAsync();
        var colleague = await NewUserAsync();
        var office = ClientFrom(NewAddress());
        await FailAsync(office, locked.Email, 3);
        for (var i = 0; i < 10; i++) // the address's allowance: each would make the office wait if it counted
            await RetryAfterOfRefusalAsync(await SignIn(office, locked.Email, $"still-guessing-{i}"));

        await FailAsync(office, colleague.Email, 1);
        await Expect(await SignIn(office, colleague.Email, colleague.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_sign_in_starts_the_count_of_its_email_from_its_address_over()
    {
        var user = await NewUserAsync();
        var from = ClientFrom(NewAddress());
        await FailAsync(from, user.Email, 2);
        await Expect(await SignIn(from, user.Email, user.Password), HttpStatusCode.OK);

        await FailAsync(from, user.Email, 3);
        await RetryAfterOfRefusalAsync(await SignIn(from, user.Email, user.Password));
    }

    [Test]
    public async Task Addresses_of_one_ipv6_64_share_their_count()
    {
        var user = await NewUserAsync();
        await FailAsync(ClientFrom("2001:db8:7:7::1"), user.Email, 3);

        await RetryAfterOfRefusalAsync(await SignIn(ClientFrom("2001:db8:7:7:ffff:ffff:ffff:fffe"), user.Email, user.Password));
        await Expect(await SignIn(ClientFrom("2001:db8:7:8::1"), user.Email, user.Password), HttpStatusCode.OK);
    }

    [Test]
    public async Task Only_a_trusted_proxy_may_say_which_address_an_attempt_comes_from()
    {
        var client = NewAddress();
        var untrusted = NewAddress();
        var spoofed = NewAddress();

        await Expect(await SignInForwarded(ClientFrom(Proxy), client), HttpStatusCode.Unauthorized);
        await Expect(await SignInForwarded(ClientFrom(untrusted), spoofed), HttpStatusCode.Unauthorized);

        var (forClient, forProxy, forUntrusted, forSpoofed) = (await RowsAsync(client), await RowsAsync(Proxy), await RowsAsync(untrusted), await RowsAsync(spoofed));
        Assert.Multiple(() =>
        {
            Assert.That(forClient, Is.EqualTo(2), "counted for the client the proxy named");
            Assert.That(forProxy, Is.Zero, "not for the proxy itself");
            Assert.That(forUntrusted, Is.EqualTo(2), "an untrusted sender's header is ignored");
            Assert.That(forSpoofed, Is.Zero);
        });

        static Task<HttpResponseMessage> SignInForwarded(HttpClient from, string forwardedFor)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token")
            {
                Content = JsonContent.Create(new { email = "someone@example.com", password = "not-the-password" }),
            };
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            return from.SendAsync(request);
        }
    }

    [Test]
    public async Task Expired_counts_are_deleted_and_live_ones_kept()
    {
        var expired = NewAddress();
        var live = NewAddress();
        await FailAsync(ClientFrom(expired), "pruned@example.com", 1);
        await FailAsync(ClientFrom(live), "kept@example.com", 1);
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                UPDATE login_throttle SET blocked_until = now() - interval '1 hour', expires_at = now() - interval '1 second'
                WHERE address = @expired::inet
                """, new { expired });

        var deleted = await App.Services.GetRequiredService<SignInThrottle>().PruneAsync(CancellationToken.None);

        var (leftExpired, leftLive) = (await RowsAsync(expired), await RowsAsync(live));
        Assert.Multiple(() =>
        {
            Assert.That(deleted, Is.GreaterThanOrEqualTo(2));
            Assert.That(leftExpired, Is.Zero);
            Assert.That(leftLive, Is.EqualTo(2));
        });
    }
}
