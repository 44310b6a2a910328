using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Stamps are kept in memory only while the database's notifications are heard (SecurityStamps).</summary>
public sealed class SecurityStampTests : ApiFixture
{
    private SecurityStamps Stamps => App.Services.GetRequiredService<SecurityStamps>();

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private Task ListenerUpAsync() => UntilAsync(() => Task.FromResult(Stamps.Trusted), "the stamp listener");

    private async Task<TestUser> SignedInUserAsync()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        return user;
    }

    private async Task RotateInDatabaseAsync(Guid userId)
    {
        await using var conn = await Db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE users SET security_stamp = gen_random_uuid() WHERE id = @userId", new { userId });
    }

    [Test]
    public async Task Repeated_requests_of_one_user_read_its_stamp_from_the_database_once()
    {
        await ListenerUpAsync();
        var user = await SignedInUserAsync();
        var misses = Stamps.Misses;
        for (var i = 0; i < 5; i++)
            await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(Stamps.Misses, Is.EqualTo(misses));
    }

    [Test]
    public async Task A_stamp_rotated_in_the_database_by_another_replica_ends_the_token_at_once()
    {
        await ListenerUpAsync();
        var user = await SignedInUserAsync();
        await RotateInDatabaseAsync(user.Id);
        // This instance is not told by a handler: only the NOTIFY at commit reaches it, within milliseconds.
        await UntilAsync(async () => (await user.Client.GetAsync("/api/v1/users")).StatusCode == HttpStatusCode.Unauthorized,
            "the old token to be refused");
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_change_made_while_the_listener_is_cut_off_is_not_missed_and_caching_resumes()
    {
        await ListenerUpAsync();
        var user = await SignedInUserAsync();
        var other = await SignedInUserAsync();
        var listener = Stamps.ListenerProcessId;
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("SELECT pg_terminate_backend(@listener)", new { listener });
        await RotateInDatabaseAsync(user.Id);

        await UntilAsync(() => Task.FromResult(Stamps.Trusted && Stamps.ListenerProcessId != listener), "the listener to reconnect");
        await Expect(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        await Expect(await other.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        var misses = Stamps.Misses;
        await Expect(await other.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(Stamps.Misses, Is.EqualTo(misses), "stamps are cached again once the listener is back");
    }

    [Test]
    public async Task With_the_cache_off_every_request_reads_the_database()
    {
        await using var app = new DidApp(App.ConnectionString, new Dictionary<string, string?> { ["Auth:StampCacheSeconds"] = "0" });
        var stamps = app.Services.GetRequiredService<SecurityStamps>();
        var client = app.CreateClient();
        var signIn = await Expect(await client.PostAsJsonAsync("/api/v1/auth/token",
            new { email = DidApp.AdminEmail, password = DidApp.AdminPassword }), HttpStatusCode.OK);
        client.DefaultRequestHeaders.Authorization = new("Bearer", signIn.GetProperty("access_token").GetString());
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        var misses = stamps.Misses;
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(stamps.Misses, Is.EqualTo(misses + 2));
        Assert.That(stamps.Trusted, Is.False);
    }
}
