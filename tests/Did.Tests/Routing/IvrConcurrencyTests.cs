using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>IVRs changed while what their keys point at changes too. The test stalls one request
/// on a row lock of its own (or deletes a target in a transaction it holds open), sends the other, and checks what each
/// answers once the lock goes: a change waits only for what it must, and a target deleted meanwhile reads as missing.</summary>
public sealed class IvrConcurrencyTests : ApiFixture
{
    private TestTenant _tenant = null!;
    private TestUser _alice = null!;

    [OneTimeSetUp]
    public async Task Tenant()
    {
        _tenant = await CreateTenantAsync();
        _alice = await CreateUserAsync("USER", _tenant.Id, "1001");
    }

    private async Task<Guid> IvrAsync(object? options = null)
    {
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs",
            new { tenant_id = _tenant.Id, name = Unique("ivr"), greeting = "hello", timeout_seconds = 5, options }), HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    private Task<HttpResponseMessage> SendTo(Guid ivr, Guid target) =>
        Patch(Admin, $"/api/v1/ivrs/{ivr}", new { options = new Dictionary<string, object> { ["1"] = new { type = "IVR", id = target } } });

    [Test]
    public async Task An_ivr_whose_key_sends_to_an_ivr_being_changed_is_changed_without_waiting_for_it()
    {
        var a = await IvrAsync();
        var b = await IvrAsync();
        await using var holder = new NpgsqlConnection(App.ConnectionString);
        await holder.OpenAsync();
        Task<HttpResponseMessage> changingB;
        await using (var tx = await holder.BeginTransactionAsync())
        {
            // B's change holds B's row and then waits for Alice, whom the test holds.
            await holder.ExecuteAsync("SELECT 1 FROM users WHERE id = @id FOR UPDATE", new { id = _alice.Id }, tx);
            changingB = Patch(Admin, $"/api/v1/ivrs/{b}",
                new { options = new Dictionary<string, object> { ["2"] = new { type = "USER", id = _alice.Id } } });
            await LockWaits.UntilWaitingAsync(Db, 1, changingB);

            var changingA = SendTo(a, b);
            var first = await Task.WhenAny(changingA, changingB, Task.Delay(TimeSpan.FromSeconds(20)));
            Assert.That(first, Is.SameAs(changingA), "A's change must not wait for B's");
            await Expect(await changingA, HttpStatusCode.OK);
            await tx.RollbackAsync();
        }
        await Expect(await changingB, HttpStatusCode.OK);
    }

    [Test]
    public async Task A_key_sent_to_an_ivr_whose_delete_is_under_way_is_a_400_naming_the_key()
    {
        var a = await IvrAsync();
        var b = await IvrAsync();
        HttpResponseMessage response;
        await using (var deleter = new NpgsqlConnection(App.ConnectionString))
        {
            await deleter.OpenAsync();
            await using var tx = await deleter.BeginTransactionAsync();
            await deleter.ExecuteAsync("DELETE FROM ivrs WHERE id = @b", new { b }, tx);
            var sent = SendTo(a, b);
            await LockWaits.UntilWaitingAsync(Db, 1, sent);
            await tx.CommitAsync();
            response = await sent;
        }

        var messages = await Problems.FieldErrorsAsync(response, "options.1");
        Assert.That(messages[0], Does.Contain(b.ToString()).And.Contain("not found"));
        var ivr = await Expect(await Admin.GetAsync($"/api/v1/ivrs/{a}"), HttpStatusCode.OK);
        Assert.That(ivr.GetProperty("options").EnumerateObject(), Is.Empty, "the refused change changed nothing");
    }
}
