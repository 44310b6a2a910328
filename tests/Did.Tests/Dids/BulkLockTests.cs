using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>A bulk change that waited for a number's lock decides on the number as the previous holder left it.</summary>
public sealed class BulkLockTests : DidFixture
{
    [Test]
    public async Task Of_two_bulk_deallocates_of_one_number_that_waited_for_its_lock_only_one_succeeds()
    {
        var tenant = await CreateTenantAsync();
        var number = NewNumber();
        var id = (await ImportAsync(number))[number];
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.OK);

        Task<HttpResponseMessage> first, second;
        var (gate, tx, _) = await LockWaits.HoldRowAsync(App.ConnectionString, "phone_numbers", id);
        await using (gate)
        {
            first = Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = new[] { number } });
            second = Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = new[] { number } });
            await LockWaits.UntilWaitingAsync(Db, 2, first, second);
            await tx.RollbackAsync();
        }
        var codes = new[] { (await first).StatusCode, (await second).StatusCode };
        var history = await Expect(await Admin.GetAsync($"/api/v1/dids/{id}/history?page_size=200"), HttpStatusCode.OK);
        Assert.That(codes, Is.EquivalentTo(new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest }),
            $"the number was ALLOCATED once, yet both deallocates answered {string.Join(", ", codes)}; history: {history}");
        var refused = (await first).StatusCode == HttpStatusCode.BadRequest ? await first : await second;
        Assert.That(Errors(await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()),
            Has.One.Contains("it is already quarantined until"));
    }
}
