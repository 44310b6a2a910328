using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.ApiKeys;

/// <summary>A key's expiry, on a service whose clock the test moves: the key ends at its expires_at, though the
/// instance holds it in memory, and it is not found in the database after that either.</summary>
public sealed class ApiKeyExpiryTests : ApiKeyFixture
{
    private sealed class ManualClock : TimeProvider
    {
        private long _offsetTicks;
        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
    }

    [Test]
    public async Task An_expired_key_ends_at_its_expiry_even_where_it_is_held_in_memory()
    {
        var clock = new ManualClock();
        await using var app = new DidApp(App.ConnectionString, Settings);
        await using var clocked = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        var keys = clocked.Services.GetRequiredService<Infrastructure.Auth.ApiKeyLookup>();
        await keys.Listening.WaitAsync(TimeSpan.FromSeconds(30));

        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id, DateTimeOffset.UtcNow.AddHours(1));
        var client = KeyClient(clocked, key.Secret);
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(keys.Holds(key.Id), Is.True);

        clock.Advance(TimeSpan.FromMinutes(59));
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(2));
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        var misses = keys.Misses;
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        Assert.That(keys.Misses, Is.EqualTo(misses + 1), "past its expiry the key is looked up, and not found");
    }

    [Test]
    public async Task A_key_without_expiry_lasts_and_one_with_a_past_expiry_is_refused_at_creation()
    {
        var tenant = await CreateTenantAsync();
        var lasting = await CreateKeyAsync(Admin, "USER", tenant.Id);
        Assert.That(lasting.Created.GetProperty("expires_at").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        var errors = await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "USER", tenant_id = tenant.Id, expires_at = DateTimeOffset.UtcNow.AddSeconds(-5) }), "expires_at");
        Assert.That(errors[0], Does.Contain("in the future"));
    }

    [Test]
    public async Task A_past_expiry_is_refused_showing_the_instant_as_rfc_3339()
    {
        var tenant = await CreateTenantAsync();
        var errors = await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "USER", tenant_id = tenant.Id, expires_at = "2020-01-01T05:00:00+05:00" }), "expires_at");
        Assert.That(errors[0], Does.Contain("in the future").And.Contain("'2020-01-01T00:00:00Z'"));
    }

    [Test]
    public async Task An_expiry_without_z_or_an_offset_is_refused_naming_its_value_and_one_with_an_offset_is_that_instant()
    {
        var tenant = await CreateTenantAsync();
        foreach (var sent in new[] { "2030-01-01T00:00:00", "2030-01-01", "2030-01-01T00:00Z" })
        {
            var errors = await Problems.FieldErrorsAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
                new { name = "k", role = "USER", tenant_id = tenant.Id, expires_at = sent }), "expires_at");
            Assert.That(errors[0], Does.Contain("'Z' or an offset").And.Contain($"'{sent}'"), sent);
        }

        var created = await Expect(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "USER", tenant_id = tenant.Id, expires_at = "2030-01-01T00:00:00-05:00" }), HttpStatusCode.Created);
        Assert.That(created.GetProperty("expires_at").GetString(), Is.EqualTo("2030-01-01T05:00:00Z"));
    }

    [Test]
    public async Task The_last_instant_a_timestamp_holds_is_kept_as_the_microsecond_stored_and_answered_in_utc()
    {
        var tenant = await CreateTenantAsync();

        var created = await Expect(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "k", role = "USER", tenant_id = tenant.Id, expires_at = "9999-12-31T23:59:59.9999999Z" }), HttpStatusCode.Created);

        Assert.That(created.GetProperty("expires_at").GetString(), Is.EqualTo("9999-12-31T23:59:59.999999Z"));
        var read = await Expect(await Admin.GetAsync($"/api/v1/api-keys/{created.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
        Assert.That(read.GetProperty("expires_at").GetString(), Is.EqualTo("9999-12-31T23:59:59.999999Z"));
        Assert.That(await CountAsync("SELECT count(*) FROM api_keys WHERE id = @id AND expires_at = 'infinity'",
            new { id = created.GetProperty("id").GetGuid() }), Is.Zero);
    }
}
