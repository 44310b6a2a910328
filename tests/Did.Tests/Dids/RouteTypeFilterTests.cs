using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>A route type combined with a country or a number type: only the routes of that kind, walked by cursor, with an
/// exact total (its own database: the other number tests count the toll-free numbers there).</summary>
public sealed class RouteTypeFilterTests : DidFixture
{
    [Test]
    public async Task A_route_type_with_a_number_type_lists_only_those_routes_by_cursor_with_an_exact_total()
    {
        var block = Random.Shared.Next(2000, 9000);
        var tollFree = new[] { $"+1888{block}001", $"+1888{block}002", $"+1888{block}003" };
        var geographic = NewNumber();
        var ids = await ImportAsync([.. tollFree, geographic]);
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id, "1001");
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = ids.Keys }), HttpStatusCode.OK);
        foreach (var number in new[] { tollFree[0], tollFree[2], geographic })
            await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{ids[number]}/assign", new { assigned_type = "USER", assigned_id = user.Id }),
                HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{ids[tollFree[1]]}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
            HttpStatusCode.Created);

        var query = $"/api/v1/dids?tenant_id={tenant.Id}&assigned_type=USER&number_type=TOLL_FREE&page_size=1";
        var first = await Expect(await Admin.GetAsync(query), HttpStatusCode.OK);
        var second = await Expect(await Admin.GetAsync(query + "&cursor=" + first.GetProperty("next_cursor").GetString()), HttpStatusCode.OK);

        Assert.That(first.GetProperty("total").GetInt64(), Is.EqualTo(2));
        Assert.That(new[] { first, second }.Select(p => p.GetProperty("items").EnumerateArray().Single().GetProperty("number").GetString()),
            Is.EqualTo(new[] { tollFree[0], tollFree[2] }));
        Assert.That(second.GetProperty("next_cursor").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That((await Expect(await Admin.GetAsync($"/api/v1/dids?tenant_id={tenant.Id}&assigned_type=USER&country=US"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()),
            Is.EqualTo(new[] { geographic, tollFree[0], tollFree[2] }.Order(StringComparer.Ordinal)), "toll-free +1 numbers are US numbers too");
    }
}
