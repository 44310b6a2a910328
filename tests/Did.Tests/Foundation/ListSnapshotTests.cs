using System.Net;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A list's total and its page come from one snapshot: while rows are added and removed all the time, a page
/// that holds the whole list (no next cursor) has exactly <c>total</c> items. The writers go straight to the table, as
/// fast as it takes rows, so that a total counted in a snapshot of its own would miss the page's rows within the loop.</summary>
public sealed class ListSnapshotTests : ApiFixture
{
    [Test]
    public async Task A_whole_page_has_as_many_items_as_its_total_while_rows_come_and_go()
    {
        var tenant = await CreateTenantAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            await using var conn = await Db.OpenConnectionAsync();
            Guid? previous = null;
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = Guid.CreateVersion7();
                await conn.ExecuteAsync("INSERT INTO schedules (id, tenant_id, name, timezone) VALUES (@id, @tenant, @name, 'UTC')",
                    new { id, tenant = tenant.Id, name = $"w{w}-{i}" });
                if (previous is { } gone) await conn.ExecuteAsync("DELETE FROM schedules WHERE id = @gone", new { gone });
                previous = id;
            }
        })).ToList();

        var pages = 0;
        var mismatches = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            var page = await Expect(await Admin.GetAsync($"/api/v1/schedules?tenant_id={tenant.Id}&page_size=200"), HttpStatusCode.OK);
            pages++;
            var items = page.GetProperty("items").GetArrayLength();
            if (page.GetProperty("next_cursor").ValueKind == System.Text.Json.JsonValueKind.Null && page.GetProperty("total").GetInt64() != items)
                mismatches.Add($"total {page.GetProperty("total").GetInt64()}, items {items}");
        }
        await Task.WhenAll(writers);

        Assert.That(pages, Is.GreaterThan(10), "enough pages were read");
        Assert.That(mismatches, Is.Empty, $"of {pages} pages");
    }
}
