using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.SignIn;

/// <summary>A sign-in flood meets a bounded number of hashing slots and a short queue: what does not fit is refused at
/// once, and requests that need no hashing are not held up behind it. One hashing slot here, held by the test itself
/// while the flood arrives (as a long hash would hold it), so what is queued and what is refused is decided, not raced.</summary>
public sealed class SignInFloodTests : ApiFixture
{
    private const int Queue = 2;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:HashingConcurrency"] = "1",
        ["Auth:HashingQueueLimit"] = Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:HashingWaitMilliseconds"] = "600000",
        ["Auth:SignIn:AddressRequestsPerMinute"] = "1",
    };

    [Test]
    public async Task A_flood_past_the_hashing_slots_and_queue_is_refused_with_retry_after_while_signed_in_requests_go_on()
    {
        const int flood = 12;
        var addresses = Enumerable.Range(1, flood).Select(i => $"198.51.100.{i}").ToArray();
        var slots = App.Services.GetRequiredService<HashingSlots>();
        Task<HttpResponseMessage>[] signIns;
        using (await slots.EnterAsync(CancellationToken.None))
        {
            signIns = addresses.Select(a => ClientFrom(a).PostAsJsonAsync("/api/v1/auth/token",
                new { email = $"{Unique("flood")}@example.com", password = "flood-password" })).ToArray();

            var refused = await FirstToFinishAsync(signIns, flood - Queue);
            foreach (var response in refused)
            {
                var body = await Expect(response, HttpStatusCode.ServiceUnavailable);
                Assert.That(response.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0));
                Assert.That(body.GetProperty("retry_after_seconds").GetInt32(), Is.GreaterThan(0));
            }

            await Expect(await Admin.GetAsync("/api/v1/users"), HttpStatusCode.OK);
            Assert.That(signIns.Count(t => t.IsCompleted), Is.EqualTo(flood - Queue), "the queued ones still wait for the slot");
        }

        var responses = await Task.WhenAll(signIns);
        Assert.Multiple(() =>
        {
            Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable), Is.EqualTo(flood - Queue));
            Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized), Is.EqualTo(Queue),
                "the queued ones were checked once the slot was free");
        });

        await using var conn = await Db.OpenConnectionAsync();
        var counted = await conn.ExecuteScalarAsync<int>(
            "SELECT coalesce(sum(failures), 0) FROM login_throttle WHERE address = ANY(@addresses::inet[]) AND account = ''::bytea",
            new { addresses });
        Assert.That(counted, Is.EqualTo(Queue), "only the attempts whose password was checked count against their address");
    }

    [Test]
    public async Task An_address_past_its_request_rate_is_refused_before_any_work()
    {
        var from = ClientFrom("192.0.2.77");
        await Expect(await from.PostAsJsonAsync("/api/v1/auth/token", new { email = "first@example.com", password = "wrong-password" }),
            HttpStatusCode.Unauthorized);

        var refused = await from.PostAsJsonAsync("/api/v1/auth/token", new { email = "second@example.com", password = "wrong-password" });
        var body = await Expect(refused, HttpStatusCode.TooManyRequests);
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("title").GetString(), Is.EqualTo("Too many sign-in requests"));
            Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0));
            Assert.That(refused.Headers.CacheControl?.NoStore, Is.True, "every answer of the token endpoint is kept out of caches");
        });
        await Expect(await ClientFrom("192.0.2.78").PostAsJsonAsync("/api/v1/auth/token",
            new { email = "second@example.com", password = "wrong-password" }), HttpStatusCode.Unauthorized);

        await using var conn = await Db.OpenConnectionAsync();
        var counted = await conn.ExecuteScalarAsync<int>(
            "SELECT failures FROM login_throttle WHERE address = '192.0.2.77'::inet AND account = ''::bytea");
        Assert.That(counted, Is.EqualTo(1), "the refused request reached neither the database nor the hashing");
    }

    /// <summary>The first <paramref name="count"/> of the tasks to finish, in the order they did.</summary>
    private static async Task<List<HttpResponseMessage>> FirstToFinishAsync(IEnumerable<Task<HttpResponseMessage>> tasks, int count)
    {
        var pending = tasks.ToList();
        var done = new List<HttpResponseMessage>();
        while (done.Count < count)
        {
            var next = await Task.WhenAny(pending);
            pending.Remove(next);
            done.Add(await next);
        }
        return done;
    }
}
