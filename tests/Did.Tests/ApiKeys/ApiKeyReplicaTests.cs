using System.Net;
using Did.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.ApiKeys;

/// <summary>Two service instances on one database, as two replicas behind a load balancer: a key revoked through one
/// is refused by the other as soon as the database's notification reaches it, though it holds the key in memory and
/// would keep it for an hour otherwise.</summary>
public sealed class ApiKeyReplicaTests : ApiKeyFixture
{
    private const string AnHour = "3600";

    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Auth:ApiKeys:CacheSeconds"] = AnHour };

    [Test]
    public async Task A_key_revoked_on_one_instance_is_refused_by_the_other_once_it_hears_the_commit()
    {
        await using var other = new DidApp(App.ConnectionString, Settings);
        var otherKeys = other.Services.GetRequiredService<Infrastructure.Auth.ApiKeyLookup>();
        var tenant = await CreateTenantAsync();
        var key = await CreateKeyAsync(Admin, "TENANT_ADMIN", tenant.Id);
        var here = KeyClient(key.Secret);
        var there = KeyClient(other, key.Secret);
        await ListeningAsync(other);
        await Expect(await here.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect(await there.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(otherKeys.Holds(key.Id), Is.True, "the other instance serves the key from memory");

        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        otherKeys.Forgotten += id => { if (id == key.Id) heard.TrySetResult(); };
        await Expect(await Admin.DeleteAsync($"/api/v1/api-keys/{key.Id}"), HttpStatusCode.NoContent);
        await Expect(await here.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);

        await heard.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Expect(await there.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_key_whose_creator_is_deleted_on_one_instance_is_refused_by_the_other()
    {
        await using var other = new DidApp(App.ConnectionString, Settings);
        var otherKeys = other.Services.GetRequiredService<Infrastructure.Auth.ApiKeyLookup>();
        var tenant = await CreateTenantAsync();
        var creator = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var key = await CreateKeyAsync(creator.Client, "USER", null);
        var there = KeyClient(other, key.Secret);
        await ListeningAsync(other);
        await Expect(await there.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.That(otherKeys.Holds(key.Id), Is.True);

        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        otherKeys.Forgotten += id => { if (id == key.Id) heard.TrySetResult(); };
        await Expect(await Admin.DeleteAsync($"/api/v1/users/{creator.Id}"), HttpStatusCode.NoContent);

        await heard.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Expect(await there.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    /// <summary>Keys are kept in memory only once an instance's listener is on the channel: wait for that, by the
    /// instance's own signal, so that the key read next is kept.</summary>
    private static async Task ListeningAsync(DidApp app)
    {
        _ = app.Server; // starts the host, and with it the listener
        var keys = app.Services.GetRequiredService<Infrastructure.Auth.ApiKeyLookup>();
        await keys.Listening.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
