using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>A user's extension removed while a queue or IVR is changed to ring that user. The test does what
/// PATCH /users/{id} with <c>extension: ""</c> does (locks the user, finds nothing refers to it, clears the extension)
/// and holds that transaction open while the queue or IVR change is sent; once the change waits for the user's lock,
/// the removal commits. The change must then see the user without an extension and be refused, not store a member or
/// key that rings nothing.</summary>
public sealed class ExtensionRemovalRaceTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestUser _admin = null!;

    [OneTimeSetUp]
    public async Task Tenant()
    {
        _tenant = await CreateTenantAsync();
        _admin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
    }

    private async Task<HttpResponseMessage> WhileExtensionIsRemovedAsync(Guid user, Func<Task<HttpResponseMessage>> change)
    {
        await using var holder = new NpgsqlConnection(App.ConnectionString);
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT 1 FROM users WHERE id = @user FOR UPDATE", new { user }, tx);
        await holder.ExecuteAsync("UPDATE users SET extension = NULL, updated_at = now() WHERE id = @user", new { user }, tx);
        var sent = change();
        await LockWaits.UntilWaitingAsync(Db, 1, sent);
        await tx.CommitAsync();
        return await sent;
    }

    [Test]
    public async Task Queue_member_whose_extension_is_removed_meanwhile_is_refused()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, "5101");
        var queue = await Expect(await _admin.Client.PostAsJsonAsync("/api/v1/queues",
            new { name = Unique("q"), strategy = "RINGALL", member_ring_seconds = 15, members = Array.Empty<Guid>() }), HttpStatusCode.Created);
        var id = queue.GetProperty("id").GetGuid();

        var response = await WhileExtensionIsRemovedAsync(user.Id,
            () => Patch(_admin.Client, $"/api/v1/queues/{id}", new { members = new[] { user.Id } }));

        var errors = await Problems.FieldErrorsAsync(response, "members[0]");
        Assert.That(errors, Is.EqualTo(new[] { $"User {user.Id} has no extension, so calls cannot ring it." }));
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/queues/{id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("members").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Ivr_key_to_a_user_whose_extension_is_removed_meanwhile_is_refused()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, "5102");
        var ivr = await Expect(await _admin.Client.PostAsJsonAsync("/api/v1/ivrs",
            new { name = Unique("i"), greeting = "custom/welcome", timeout_seconds = 5, options = new Dictionary<string, object>() }), HttpStatusCode.Created);
        var id = ivr.GetProperty("id").GetGuid();

        var response = await WhileExtensionIsRemovedAsync(user.Id,
            () => Patch(_admin.Client, $"/api/v1/ivrs/{id}", new { timeout_destination = new { type = "USER", id = user.Id } }));

        var errors = await Problems.FieldErrorsAsync(response, "timeout_destination");
        Assert.That(errors, Is.EqualTo(new[] { $"User {user.Id} has no extension, so calls cannot ring it." }));
        var after = await Expect(await _admin.Client.GetAsync($"/api/v1/ivrs/{id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("timeout_destination").GetProperty("type").GetString(), Is.EqualTo("HANGUP"));
    }
}
