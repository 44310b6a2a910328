using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Requests that give a tenant something (a user, an IVR, a queue, a schedule, an API key, numbers) while the
/// tenant's delete is running. The test deletes the tenant in a transaction it holds open, sends the request, waits until
/// the request waits for that transaction, and commits: the request must then find the tenant gone (400 on tenant_id,
/// as for any unknown tenant), change nothing and audit nothing, never a foreign-key 409 about what the tenant "still owns".</summary>
public sealed class TenantDeleteRaceTests : ApiFixture
{
    public static IEnumerable<TestCaseData> Requests()
    {
        yield return Case("POST /users", (c, t, _) => c.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{Guid.NewGuid():N}@example.com", password = "correct-horse-battery", display_name = "Late", role = "USER", tenant_id = t,
        }));
        yield return Case("POST /ivrs", (c, t, _) => c.PostAsJsonAsync("/api/v1/ivrs", new { tenant_id = t, name = "late", greeting = "hello", timeout_seconds = 5 }));
        yield return Case("POST /queues", (c, t, _) => c.PostAsJsonAsync("/api/v1/queues",
            new { tenant_id = t, name = "late", strategy = "RINGALL", member_ring_seconds = 15 }));
        yield return Case("POST /schedules", (c, t, _) => c.PostAsJsonAsync("/api/v1/schedules",
            new { tenant_id = t, name = "late", timezone = "UTC", open = Array.Empty<object>() }));
        yield return Case("POST /api-keys", (c, t, _) => c.PostAsJsonAsync("/api/v1/api-keys", new { name = "late", role = "TENANT_ADMIN", tenant_id = t }));
        yield return Case("PATCH /dids/{id}/allocate", (c, t, n) => c.PatchAsJsonAsync($"/api/v1/dids/{n.Id}/allocate", new { tenant_id = t }));
        yield return Case("POST /dids/allocate", (c, t, n) => c.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = t, numbers = new[] { n.Number } }));
    }

    private static TestCaseData Case(string name, Func<HttpClient, Guid, TestNumber, Task<HttpResponseMessage>> send) =>
        new TestCaseData(send).SetName($"A {name} that waited for the tenant's delete is a 400 on tenant_id and changes nothing");

    [TestCaseSource(nameof(Requests))]
    public async Task Request_racing_the_tenant_delete(Func<HttpClient, Guid, TestNumber, Task<HttpResponseMessage>> send)
    {
        var tenant = await CreateTenantAsync();
        var number = (await SeedNumbersAsync(null))[0];
        var auditBefore = await AuditRowsAsync();

        HttpResponseMessage response;
        await using (var deleter = new NpgsqlConnection(App.ConnectionString))
        {
            await deleter.OpenAsync();
            await using var tx = await deleter.BeginTransactionAsync();
            await deleter.ExecuteAsync("DELETE FROM tenants WHERE id = @id", new { id = tenant.Id }, tx);
            var sent = send(Admin, tenant.Id, number);
            await LockWaits.UntilWaitingAsync(Db, 1, sent);
            await tx.CommitAsync();
            response = await sent;
        }

        var messages = await Problems.FieldErrorsAsync(response, "tenant_id");
        Assert.That(messages[0], Does.Contain(tenant.Id.ToString()));
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("UNASSIGNED"));
        Assert.That(await AuditRowsAsync(), Is.EqualTo(auditBefore), "a refused request writes no audit row");
    }

    private async Task<long> AuditRowsAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_logs");
    }
}
