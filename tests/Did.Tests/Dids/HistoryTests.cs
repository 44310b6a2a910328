using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>One number's whole story, bulk changes included, and what a tenant admin may read of it.</summary>
public sealed class HistoryTests : DidFixture
{
    private async Task<JsonElement[]> HistoryAsync(HttpClient client, Guid id, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await Expect(await client.GetAsync($"/api/v1/dids/{id}/history?page_size=200"), status);
        return status == HttpStatusCode.OK ? body.GetProperty("items").EnumerateArray().ToArray() : [];
    }

    private static string[] Actions(JsonElement[] entries) => entries.Select(e => e.GetProperty("action").GetString()!).ToArray();

    [Test]
    public async Task A_numbers_history_holds_its_bulk_import_bulk_allocation_route_changes_and_deallocation_oldest_first()
    {
        var first = await CreateTenantAsync();
        var second = await CreateTenantAsync();
        var numbers = NewNumbers(3);
        var ids = await ImportAsync(numbers);
        var id = ids[numbers[1]];
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = first.Id, numbers }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{id}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
            HttpStatusCode.Created);
        await Expect(await Admin.PutAsJsonAsync($"/api/v1/dids/{id}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Congestion()" }),
            HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}/assign"), HttpStatusCode.NoContent);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{id}/quarantine/end", new { reason = "reused at once" }), HttpStatusCode.OK);
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = second.Id }), HttpStatusCode.OK);

        var history = await HistoryAsync(Admin, id);
        Assert.That(Actions(history),
            Is.EqualTo(new[] { "IMPORT", "ALLOCATE", "ASSIGN", "REASSIGN", "UNASSIGN", "DEALLOCATE", "END_QUARANTINE", "ALLOCATE" }));
        Assert.That(history.Select(e => e.GetProperty("bulk").GetBoolean()), Is.EqualTo(new[] { true, true, false, false, false, true, false, false }));
        Assert.That(history[0].GetProperty("bulk_count").GetInt64(), Is.EqualTo(3));
        Assert.That(history[1].GetProperty("after").GetProperty("tenant_id").GetGuid(), Is.EqualTo(first.Id));
        Assert.That(history[5].GetProperty("before").GetProperty("tenant_id").GetGuid(), Is.EqualTo(first.Id));
        Assert.That(history[5].GetProperty("after").GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
        Assert.That(history[6].GetProperty("after").GetProperty("reason").GetString(), Is.EqualTo("reused at once"));
        Assert.That(history[7].GetProperty("after").GetProperty("tenant_id").GetGuid(), Is.EqualTo(second.Id));
        Assert.That(history.Select(e => e.GetProperty("at").GetDateTime()), Is.Ordered);
        Assert.That(history.All(e => e.GetProperty("actor_id").ValueKind == JsonValueKind.String), Is.True);

        // The other numbers of the same import have their own story: their import and bulk changes, no routes.
        Assert.That(Actions(await HistoryAsync(Admin, ids[numbers[0]])), Is.EqualTo(new[] { "IMPORT", "ALLOCATE", "DEALLOCATE" }));
    }

    [Test]
    public async Task A_tenant_admin_reads_only_the_entries_from_while_the_number_was_its_own()
    {
        var first = await CreateTenantAsync();
        var second = await CreateTenantAsync();
        var firstAdmin = await CreateUserAsync("TENANT_ADMIN", first.Id);
        var secondAdmin = await CreateUserAsync("TENANT_ADMIN", second.Id);
        var number = NewNumber();
        var id = (await ImportAsync(number))[number];
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = first.Id }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{id}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
            HttpStatusCode.Created);
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}/assign"), HttpStatusCode.NoContent);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = new[] { number } }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{id}/quarantine/end", new { reason = "reused at once" }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = second.Id, numbers = new[] { number } }), HttpStatusCode.OK);

        // The number is the second tenant's now: the first tenant's admin gets a 404, as for any other tenant's object.
        await HistoryAsync(firstAdmin.Client, id, HttpStatusCode.NotFound);
        var seen = await HistoryAsync(secondAdmin.Client, id);
        Assert.That(Actions(seen), Is.EqualTo(new[] { "ALLOCATE" }));
        Assert.That(seen.All(e => e.GetProperty("tenant_id").GetGuid() == second.Id), Is.True);
        Assert.That(Actions(await HistoryAsync(Admin, id)),
            Is.EqualTo(new[] { "IMPORT", "ALLOCATE", "ASSIGN", "UNASSIGN", "DEALLOCATE", "END_QUARANTINE", "ALLOCATE" }));
    }

    [Test]
    public async Task A_released_number_keeps_its_history_for_the_platform()
    {
        var number = NewNumber();
        var id = (await ImportAsync(number))[number];
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.NoContent);
        Assert.That(Actions(await HistoryAsync(Admin, id)), Is.EqualTo(new[] { "IMPORT", "RELEASE" }));
    }

    [Test]
    public async Task An_unknown_number_has_no_history()
    {
        await HistoryAsync(Admin, Guid.NewGuid(), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task History_pages_by_cursor_without_gaps_or_repeats()
    {
        var tenant = await CreateTenantAsync();
        var number = NewNumber();
        var id = (await ImportAsync(number))[number];
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.OK);
        for (var i = 0; i < 5; i++)
            await Expect(await Admin.PutAsJsonAsync($"/api/v1/dids/{id}/assign", new { assigned_type = "EXTERNAL", assigned_value = i % 2 == 0 ? "Hangup()" : "Congestion()" }),
                HttpStatusCode.OK);
        var all = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Expect(await Admin.GetAsync($"/api/v1/dids/{id}/history?page_size=2" + (cursor is null ? "" : $"&cursor={cursor}")),
                HttpStatusCode.OK);
            Assert.That(page.GetProperty("total").GetInt64(), Is.EqualTo(7));
            all.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("audit_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        } while (cursor is not null);
        Assert.That(all, Has.Count.EqualTo(7).And.Unique);
    }
}
