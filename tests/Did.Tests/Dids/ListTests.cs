using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Dids;

public sealed class ListTests : DidFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Dids:SearchCountLimit"] = "30" };

    private static string[] Numbers(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray();

    private async Task<JsonElement> List(HttpClient client, string query) =>
        await Expect(await client.GetAsync("/api/v1/dids" + query), HttpStatusCode.OK);

    [Test]
    public async Task List_is_ordered_by_number_and_paged()
    {
        var numbers = Enumerable.Range(1, 5).Select(i => $"+1306555000{i}").ToArray();
        await ImportAsync(numbers.Reverse().ToArray());
        var prefix = Uri.EscapeDataString("+1306555000");
        var first = await List(Admin, $"?number={prefix}&page_size=2");
        var all = await List(Admin, $"?number={prefix}&page_size=200");
        var second = await List(Admin, $"?number={prefix}&page=2&page_size=2");
        Assert.That(Numbers(all), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(Numbers(first), Is.EqualTo(Numbers(all).Take(2)));
        Assert.That(Numbers(second), Is.EqualTo(Numbers(all).Skip(2).Take(2)));
        Assert.That(first.GetProperty("page_size").GetInt32(), Is.EqualTo(2));
        Assert.That(second.GetProperty("page").GetInt32(), Is.EqualTo(2));
        Assert.That(first.GetProperty("total").GetInt64(), Is.EqualTo(all.GetProperty("items").GetArrayLength()));
    }

    [Test]
    public async Task Filters_by_status_tenant_provider_and_number()
    {
        var tenant = await CreateTenantAsync();
        var n = NewNumbers(3);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new
        {
            dids = new[] { new { number = n[0], provider = "p-one" }, new { number = n[1], provider = "p-two" }, new { number = n[2], provider = "p-two" } },
        }), HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = new[] { n[1] } }), HttpStatusCode.OK);

        Assert.That(Numbers(await List(Admin, $"?tenant_id={tenant.Id}")), Is.EqualTo(new[] { n[1] }));
        Assert.That(Numbers(await List(Admin, $"?tenant_id={tenant.Id}&status=UNASSIGNED")), Is.Empty);
        Assert.That(Numbers(await List(Admin, "?provider=p-two&status=UNASSIGNED")), Is.EqualTo(new[] { n[2] }));
        Assert.That(Numbers(await List(Admin, $"?number={n[0][2..]}")), Is.EqualTo(new[] { n[0] }), "digits anywhere");
        Assert.That(Numbers(await List(Admin, $"?number={Uri.EscapeDataString(n[0])}")), Is.EqualTo(new[] { n[0] }), "with '+': a prefix");
        Assert.That(Numbers(await List(Admin, $"?number={Uri.EscapeDataString("+" + n[0][3..])}")), Is.Empty, "'+' anchors at the start");
    }

    [Test]
    public async Task A_tenant_admin_sees_only_its_tenant_whatever_tenant_id_it_sends()
    {
        var mine = await CreateTenantAsync();
        var theirs = await CreateTenantAsync();
        var n = NewNumbers(2);
        var ids = await ImportAsync(n);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = mine.Id, numbers = new[] { n[0] } }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = theirs.Id, numbers = new[] { n[1] } }), HttpStatusCode.OK);
        var admin = await CreateUserAsync("TENANT_ADMIN", mine.Id);

        Assert.That(Numbers(await List(admin.Client, "")), Is.EqualTo(new[] { n[0] }));
        Assert.That(Numbers(await List(admin.Client, $"?tenant_id={theirs.Id}")), Is.Empty);
        await Expect(await admin.Client.GetAsync($"/api/v1/dids/{ids[n[0]]}"), HttpStatusCode.OK);
        await Expect(await admin.Client.GetAsync($"/api/v1/dids/{ids[n[1]]}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Support_sees_every_tenant()
    {
        var support = await CreateUserAsync("SUPPORT", null);
        var n = NewNumber();
        var ids = await ImportAsync(n);
        Assert.That(Numbers(await List(support.Client, $"?number={Uri.EscapeDataString(n)}")), Is.EqualTo(new[] { n }));
        await Expect(await support.Client.GetAsync($"/api/v1/dids/{ids[n]}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_user_may_not_list_or_get_numbers()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        await Expect(await user.Client.GetAsync("/api/v1/dids"), HttpStatusCode.Forbidden);
        await Expect(await user.Client.GetAsync($"/api/v1/dids/{Guid.NewGuid()}"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_number_search_is_counted_up_to_the_bound_then_answers_total_at_least()
    {
        var numbers = NewNumbers(40);
        await ImportAsync(numbers);
        var few = await List(Admin, $"?number={Uri.EscapeDataString(numbers[0])}");
        Assert.That(few.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(few.GetProperty("total_at_least").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var many = await List(Admin, $"?number={numbers[0][2..5]}&page_size=10"); // the area code: every number of this fixture has it
        Assert.That(many.GetProperty("total").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(many.GetProperty("total_at_least").GetInt64(), Is.EqualTo(31), "the bound is 30 here: at least 31 match");
        Assert.That(many.GetProperty("items").GetArrayLength(), Is.EqualTo(10));

        var unbounded = await List(Admin, "?page_size=10");
        Assert.That(unbounded.GetProperty("total").GetInt64(), Is.EqualTo(await CountAsync("SELECT count(*) FROM phone_numbers")),
            "without number search the total is exact however many match");
        Assert.That(unbounded.GetProperty("total_at_least").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [TestCase("number=12a4", "'number'")]
    [TestCase("number=%2B%2B1", "'number'")]
    [TestCase("number=1234567890123456", "'number'")]
    [TestCase("status=allocated", "'status'")]
    [TestCase("cursor=abc", "'cursor'")]
    [TestCase("page=0", "'page'")]
    [TestCase("page_size=201", "page_size")]
    public async Task Bad_list_parameters_are_a_400_problem(string query, string detail)
    {
        var body = await Expect(await Admin.GetAsync($"/api/v1/dids?{query}"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(detail));
    }

    [Test]
    public async Task Get_of_an_unknown_id_is_a_404() =>
        await Expect(await Admin.GetAsync($"/api/v1/dids/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

    [Test]
    public async Task The_import_operation_documents_json_and_csv_bodies()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var import = doc.GetProperty("paths").GetProperty("/api/v1/dids/import").GetProperty("post");
        Assert.That(import.GetProperty("operationId").GetString(), Is.EqualTo("ImportDids"));
        var content = import.GetProperty("requestBody").GetProperty("content");
        Assert.That(content.TryGetProperty("application/json", out _), Is.True);
        Assert.That(content.TryGetProperty("text/csv", out _), Is.True);
        var ids = doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1/dids"))
            .SelectMany(p => p.Value.EnumerateObject().Select(m => m.Value.GetProperty("operationId").GetString())).Order().ToArray();
        Assert.That(ids, Is.EqualTo(new[] { "AllocateDid", "AssignDid", "BulkAllocateDids", "BulkDeallocateDids", "DeallocateDid", "EndQuarantine", "ExportDids", "GetDid", "GetDidHistory", "ImportDids", "ListDids", "ReleaseDid", "ReplaceDidAssignment", "UnassignDid", "ValidateDidImport" }));
    }
}
