using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>The DID list pages by cursor at any depth: following next_cursor from the first page visits every matching
/// number exactly once, in number order, while numbers are added and removed, and a cursor only works for the filters
/// it was given out with.</summary>
public sealed class CursorTests : DidFixture
{
    private static string[] Numbers(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray();

    private async Task<JsonElement> List(HttpClient client, string query) =>
        await Expect(await client.GetAsync("/api/v1/dids?" + query), HttpStatusCode.OK);

    private static string? Next(JsonElement page) => page.GetProperty("next_cursor").GetString();

    /// <summary>Every page from the first, following next_cursor; asserts each cursor page says page null.</summary>
    private async Task<List<string>> WalkAsync(HttpClient client, string filters, int pageSize)
    {
        var seen = new List<string>();
        var page = await List(client, $"{filters}&page_size={pageSize}");
        seen.AddRange(Numbers(page));
        while (Next(page) is { } cursor)
        {
            page = await List(client, $"{filters}&page_size={pageSize}&cursor={cursor}");
            Assert.That(page.GetProperty("page").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(Numbers(page), Is.Not.Empty, "a cursor is only given when another page follows");
            seen.AddRange(Numbers(page));
        }
        return seen;
    }

    private async Task<string[]> TruthAsync(string where, object? args = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return (await conn.QueryAsync<string>($"SELECT number FROM phone_numbers p WHERE {where} ORDER BY number", args)).ToArray();
    }

    [Test]
    public async Task Following_next_cursor_visits_every_number_once_in_order_under_each_filter()
    {
        var tenant = await CreateTenantAsync();
        var numbers = Block("+1301555", 23);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new
        {
            dids = numbers.Select((n, i) => new { number = n, provider = i % 2 == 0 ? "even" : "odd" }),
        }), HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = numbers.Take(11) }), HttpStatusCode.OK);
        foreach (var i in new[] { 3, 4, 6, 9 })
            await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{await ImportedIdAsync(numbers[i])}/assign",
                new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.Created);
        const string routed = "EXISTS (SELECT 1 FROM did_assignments a WHERE a.phone_number_id = p.id AND a.assigned_type = 'EXTERNAL')";
        var tenantAdmin = (await CreateUserAsync("TENANT_ADMIN", tenant.Id)).Client;

        Assert.That(await WalkAsync(Admin, "status=UNASSIGNED", 4), Is.EqualTo(await TruthAsync("status = 'UNASSIGNED'")));
        Assert.That(await WalkAsync(Admin, $"tenant_id={tenant.Id}", 3), Is.EqualTo(numbers.Take(11).Order(StringComparer.Ordinal)));
        Assert.That(await WalkAsync(tenantAdmin, "", 3), Is.EqualTo(numbers.Take(11).Order(StringComparer.Ordinal)));
        Assert.That(await WalkAsync(Admin, "provider=odd", 2), Is.EqualTo(await TruthAsync("provider = 'odd'")));
        Assert.That(await WalkAsync(Admin, "assigned_type=EXTERNAL", 1), Is.EqualTo(await TruthAsync(routed)));
        Assert.That(await WalkAsync(Admin, $"tenant_id={tenant.Id}&assigned_type=EXTERNAL", 3), Is.EqualTo(await TruthAsync(routed)));
        Assert.That(await WalkAsync(Admin, "provider=even&assigned_type=EXTERNAL", 1), Is.EqualTo(await TruthAsync($"provider = 'even' AND {routed}")));
        Assert.That(await WalkAsync(Admin, "status=ASSIGNED&assigned_type=EXTERNAL&number=1301555", 2),
            Is.EqualTo(await TruthAsync($"number LIKE '%1301555%' AND {routed}")));
        Assert.That(await WalkAsync(tenantAdmin, "assigned_type=EXTERNAL", 2), Is.EqualTo(await TruthAsync(routed)));
        Assert.That(await WalkAsync(Admin, "status=ALLOCATED&assigned_type=EXTERNAL", 2), Is.Empty);
        Assert.That(await WalkAsync(Admin, "number=1301555", 5), Is.EqualTo(await TruthAsync("number LIKE '%1301555%'")));
        Assert.That(await WalkAsync(Admin, "", 7), Is.EqualTo(await TruthAsync("true")));
    }

    [Test]
    public async Task A_walk_neither_skips_nor_repeats_numbers_while_numbers_are_imported_and_released()
    {
        var block = Enumerable.Range(1, 12).Select(i => $"+13025550{i * 5:D3}").ToArray();
        var ids = await ImportAsync(block);
        const string filter = "number=%2B1302555";
        var first = await List(Admin, $"{filter}&page_size=5");
        var firstNumbers = Numbers(first);

        // Numbers sorting before the cursor, on the pages to come, and at the end; and a number of the first page released.
        var added = new[] { "+13025550000", "+13025550031", "+13025550099" };
        await ImportAsync(added);
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{ids[firstNumbers[1]]}"), HttpStatusCode.NoContent);
        var rest = new List<string>();
        var page = first;
        while (Next(page) is { } cursor)
        {
            page = await List(Admin, $"{filter}&page_size=5&cursor={cursor}");
            rest.AddRange(Numbers(page));
        }

        var expectedRest = block.Concat(added).Where(n => string.CompareOrdinal(n, firstNumbers[^1]) > 0).Order(StringComparer.Ordinal);
        Assert.That(rest, Is.EqualTo(expectedRest), "every number after the first page, old and new, once, in order");
    }

    [Test]
    public async Task The_last_page_has_no_cursor_and_page_mode_says_its_page()
    {
        await ImportAsync(Block("+1303555", 4));
        const string filter = "number=%2B1303555";
        var whole = await List(Admin, $"{filter}&page_size=200");
        var count = whole.GetProperty("items").GetArrayLength();

        Assert.That(Next(whole), Is.Null);
        Assert.That(whole.GetProperty("page").GetInt32(), Is.EqualTo(1));
        var exact = await List(Admin, $"{filter}&page_size={count}");
        Assert.That(Next(exact), Is.Null, "a page that ends exactly at the last number is the last page");
        var second = await List(Admin, $"{filter}&page=2&page_size=1");
        Assert.That(second.GetProperty("page").GetInt32(), Is.EqualTo(2));
        Assert.That(Numbers(await List(Admin, $"{filter}&page_size=1&cursor={Next(second)}")),
            Is.EqualTo(Numbers(await List(Admin, $"{filter}&page=3&page_size=1"))), "page mode gives a cursor too");
    }

    [Test]
    public async Task A_cursor_used_with_other_filters_cut_or_altered_is_a_400_naming_cursor()
    {
        await ImportAsync(Block("+1304555", 3));
        var cursor = Next(await List(Admin, "page_size=1"))!;
        static string Alter(string c, int i) => c[..i] + Foundation.PageCursorTests.FlipHighBit(c[i]) + c[(i + 1)..];

        var bad = new[]
        {
            $"status=UNASSIGNED&cursor={cursor}", // another filter
            $"cursor={cursor[..^3]}", // cut
            $"cursor={Alter(cursor, 0)}", // another version
            $"cursor={Alter(cursor, 5)}", // altered checksum
            $"cursor={Alter(cursor, cursor.Length - 4)}", // altered key
            "cursor=not-a-cursor",
            "cursor=%00%01",
            $"cursor={new string('A', 2000)}",
        };
        foreach (var query in bad)
        {
            var body = await Expect(await Admin.GetAsync("/api/v1/dids?" + query), HttpStatusCode.BadRequest);
            Assert.That(body.GetProperty("errors").TryGetProperty("cursor", out _), Is.True, query);
        }
    }

    [Test]
    public async Task A_tenant_admin_with_another_callers_cursor_still_sees_only_its_tenant()
    {
        var mine = await CreateTenantAsync();
        var theirs = await CreateTenantAsync();
        var numbers = Block("+1305555", 6);
        await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = theirs.Id, numbers = numbers.Take(3) }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = mine.Id, numbers = numbers.Skip(3) }), HttpStatusCode.OK);
        var cursor = Next(await List(Admin, $"tenant_id={theirs.Id}&page_size=1"))!;
        var admin = (await CreateUserAsync("TENANT_ADMIN", mine.Id)).Client;

        var page = await List(admin, $"tenant_id={theirs.Id}&page_size=200&cursor={cursor}");
        Assert.That(Numbers(page), Is.Empty);
        Assert.That(page.GetProperty("total").GetInt64(), Is.Zero);
    }

    [TestCase("page=202&page_size=50", "cursor")] // starts at item 10,051
    [TestCase("page=10002&page_size=1", "cursor")]
    [TestCase("page=1&cursor=AQ", "cursor")]
    public async Task Deep_page_numbers_and_page_with_cursor_are_400s_that_point_at_cursor(string query, string mentions)
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/dids?" + query), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(mentions));
    }

    [Test]
    public async Task The_deepest_page_number_allowed_starts_at_item_10001()
    {
        var body = await List(Admin, "page=201&page_size=50"); // offset 10,000
        Assert.That(body.GetProperty("page").GetInt32(), Is.EqualTo(201));
    }

    private static string[] Block(string prefix, int n) => Enumerable.Range(1, n).Select(i => $"{prefix}{i:D4}").ToArray();

    private async Task<Guid> ImportedIdAsync(string number)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<Guid>("SELECT id FROM phone_numbers WHERE number = @number", new { number });
    }
}
