using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>A bulk deallocation that takes numbers from several tenants is audited in each tenant's log, each row holding
/// only that tenant's numbers: a tenant admin sees its numbers leave and nothing of the other tenants'.</summary>
public sealed class BulkDeallocateAuditTests : DidFixture
{
    private static async Task<JsonElement[]> DeallocateRowsAsync(HttpClient client) =>
        (await Expect(await client.GetAsync("/api/v1/audit-logs?entity_type=PHONE_NUMBER&page_size=200"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Where(e => e.GetProperty("action").GetString() == "DEALLOCATE").ToArray();

    private async Task<(string[] First, string[] Second, HttpClient FirstAdmin, HttpClient SecondAdmin, Guid FirstId, Guid SecondId)> TwoTenantsAsync(
        string[] numbers)
    {
        var first = await CreateTenantAsync();
        var second = await CreateTenantAsync();
        await ImportAsync(numbers);
        var (a, b) = (numbers[..2], numbers[2..]);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = first.Id, numbers = a }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = second.Id, numbers = b }), HttpStatusCode.OK);
        return (a, b, (await CreateUserAsync("TENANT_ADMIN", first.Id)).Client, (await CreateUserAsync("TENANT_ADMIN", second.Id)).Client,
            first.Id, second.Id);
    }

    /// <summary>Fresh numbers that follow each other, so that a range holds exactly them.</summary>
    private string[] ConsecutiveNumbers(int n)
    {
        while (true)
        {
            var numbers = NewNumbers(n);
            if (numbers.Select((x, i) => long.Parse(x[1..]) - i).Distinct().Count() == 1) return numbers;
        }
    }

    [Test]
    public async Task A_list_from_two_tenants_is_a_row_in_each_tenants_log_with_only_its_numbers()
    {
        var numbers = NewNumbers(3);
        var (a, b, firstAdmin, secondAdmin, firstId, secondId) = await TwoTenantsAsync(numbers);

        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers }), HttpStatusCode.OK);

        foreach (var (client, own, tenant, other) in new[] { (firstAdmin, a, firstId, secondId), (secondAdmin, b, secondId, firstId) })
        {
            var row = (await DeallocateRowsAsync(client)).Single();
            var after = row.GetProperty("after");
            Assert.That((row.GetProperty("tenant_id").GetGuid(), after.GetProperty("count").GetInt32()), Is.EqualTo((tenant, own.Length)));
            Assert.That(after.GetProperty("numbers").EnumerateArray().Select(n => n.GetString()), Is.EqualTo(own));
            Assert.That(row.GetRawText(), Does.Not.Contain(other.ToString()));
        }
        var rows = await DeallocateRowsAsync(Admin);
        Assert.That(rows.Where(r => r.GetProperty("tenant_id").ValueKind == JsonValueKind.Null), Is.Empty,
            "every number left a tenant, so no row belongs to no tenant");
    }

    [Test]
    public async Task A_range_across_two_tenants_is_a_row_in_each_tenants_log_counting_its_numbers()
    {
        var numbers = ConsecutiveNumbers(3);
        var (a, b, firstAdmin, secondAdmin, firstId, secondId) = await TwoTenantsAsync(numbers);

        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { range = new { from = numbers[0], to = numbers[2] } }),
            HttpStatusCode.OK);

        foreach (var (client, own, tenant, other) in new[] { (firstAdmin, a, firstId, secondId), (secondAdmin, b, secondId, firstId) })
        {
            var row = (await DeallocateRowsAsync(client)).Single();
            Assert.That((row.GetProperty("tenant_id").GetGuid(), row.GetProperty("after").GetProperty("count").GetInt32()),
                Is.EqualTo((tenant, own.Length)));
            Assert.That(row.GetRawText(), Does.Not.Contain(other.ToString()));
        }
    }
}
