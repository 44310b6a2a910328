using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Did.Infrastructure.Auth;
using Did.Infrastructure.RateLimiting;
using Did.Tests.ApiKeys;
using NUnit.Framework;

namespace Did.Tests.RateLimits;

/// <summary>Per-caller token buckets with limits small enough to reach in a test: a tenant caller may write twice and
/// read three times, then one more each a minute. Nothing refills within a test, so what is refused is decided by the
/// count, not by timing.</summary>
public sealed class RateLimitTests : ApiKeyFixture
{
    private const int Writes = 2;
    private const int Reads = 3;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:Tenant:WriteBurst"] = Writes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimits:Tenant:WritesPerMinute"] = "1",
        ["RateLimits:Tenant:ReadBurst"] = Reads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimits:Tenant:ReadsPerMinute"] = "1",
        ["Auth:ApiKeys:LookupsPerMinute"] = "2",
    };

    private static object NewIvr() => new { name = $"i{Guid.NewGuid():N}"[..20], greeting = "g", timeout_seconds = 5 };

    [Test]
    public async Task A_tenant_caller_past_its_write_burst_gets_a_429_with_retry_after_and_its_write_is_not_made()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        for (var i = 0; i < Writes; i++)
            await Expect(await admin.Client.PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.Created);
        var ivrs = await CountAsync("SELECT count(*) FROM ivrs WHERE tenant_id = @Id", new { tenant.Id });

        var refused = await admin.Client.PostAsJsonAsync("/api/v1/ivrs", NewIvr());
        var body = await Expect(refused, HttpStatusCode.TooManyRequests);
        Assert.Multiple(() =>
        {
            Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.InRange(1, 60));
            Assert.That(body.GetProperty("retry_after_seconds").GetInt32(), Is.EqualTo((int)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds));
            Assert.That(body.GetProperty("limit").GetString(), Is.EqualTo("writes"));
            Assert.That(body.TryGetProperty("type", out var type) ? type.GetString() : null, Is.EqualTo("https://tools.ietf.org/html/rfc6585#section-4"));
        });
        Assert.That(await CountAsync("SELECT count(*) FROM ivrs WHERE tenant_id = @Id", new { tenant.Id }), Is.EqualTo(ivrs));
        await Expect(await admin.Client.GetAsync("/api/v1/ivrs"), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_tenant_caller_past_its_read_burst_gets_a_429_and_may_still_write()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        for (var i = 0; i < Reads; i++)
            await Expect(await admin.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        var refused = await admin.Client.GetAsync("/api/v1/users");
        var body = await Expect(refused, HttpStatusCode.TooManyRequests);
        Assert.That(body.GetProperty("limit").GetString(), Is.EqualTo("reads"));
        Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThanOrEqualTo(1));
        await Expect(await admin.Client.PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.Created);
    }

    [Test]
    public async Task Each_user_and_each_key_has_buckets_of_its_own()
    {
        var tenant = await CreateTenantAsync();
        var first = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var second = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);
        for (var i = 0; i < Writes; i++)
            await Expect(await first.Client.PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.Created);
        await Expect(await first.Client.PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.TooManyRequests);

        await Expect(await second.Client.PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.Created);
        await Expect(await KeyClient(key.Secret).PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.Created);
    }

    [Test]
    public async Task A_second_sign_in_does_not_give_a_user_a_fresh_bucket()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        for (var i = 0; i < Writes; i++)
            await Expect(await admin.Client.PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.Created);
        var again = await SignInAsync(admin.Email, admin.Password);
        await Expect(await again.PostAsJsonAsync("/api/v1/ivrs", NewIvr()), HttpStatusCode.TooManyRequests);
    }

    [Test]
    public async Task Platform_callers_have_the_platform_tier_and_are_not_held_to_the_tenant_limits()
    {
        for (var i = 0; i < Writes + Reads + 2; i++)
            await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = Unique("T"), slug = Unique("r") }), HttpStatusCode.Created);
    }

    [Test]
    public async Task Rejections_are_counted_by_limit_and_route_template()
    {
        var seen = new List<(long Value, string? Policy, string? Route)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RateLimitMetrics.MeterName && instrument.Name == RateLimitMetrics.RejectionsName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? policy = null, route = null;
            foreach (var t in tags)
            {
                if (t.Key == "policy") policy = t.Value as string;
                if (t.Key == "route") route = t.Value as string;
            }
            lock (seen) seen.Add((value, policy, route));
        });
        listener.Start();

        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        for (var i = 0; i < Reads; i++)
            await Expect(await admin.Client.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
        await Expect(await admin.Client.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.TooManyRequests);

        lock (seen)
            Assert.That(seen, Is.EqualTo(new[] { (1L, (string?)"reads", (string?)"/api/v1/tenants/{id:guid}") }));
    }

    [Test]
    public async Task Checks_of_keys_not_in_memory_are_limited_per_address_and_a_key_in_memory_still_works()
    {
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);
        var address = "198.51.100.200";
        await Expect(await KeyFrom(address, key.Secret).GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
        await Expect(await KeyFrom(address, ApiKeySecret.New()).GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);

        var refused = await KeyFrom(address, ApiKeySecret.New()).GetAsync("/api/v1/users");
        var body = await Expect(refused, HttpStatusCode.TooManyRequests);
        Assert.That(body.GetProperty("title").GetString(), Is.EqualTo("Too many API key checks"));
        Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThanOrEqualTo(1));
        await Expect(await KeyFrom(address, key.Secret).GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
        await Expect(await KeyFrom("198.51.100.201", ApiKeySecret.New()).GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    private HttpClient KeyFrom(string address, string secret)
    {
        var client = ClientFrom(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}
