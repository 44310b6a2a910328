using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Features.Dids;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>Deep pages of the whole list and of a tenant start from cached anchors (every 5th number here) instead of an
/// OFFSET walk. Each page must equal what OFFSET returns from the table at that moment, including right after the list
/// changed under the anchors.</summary>
public sealed class DeepPageTests : DidFixture
{
    private const int Stride = 5;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Dids:PageAnchorStride"] = $"{Stride}" };

    private DidPageAnchors Anchors => App.Services.GetRequiredService<DidPageAnchors>();

    private static string[] Numbers(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray();

    private async Task<string[]> PageAsync(HttpClient client, string query) =>
        Numbers(await Expect(await client.GetAsync("/api/v1/dids?" + query), HttpStatusCode.OK));

    private async Task<string[]> OffsetTruthAsync(Guid? tenant, int page, int pageSize)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return (await conn.QueryAsync<string>(
            "SELECT number FROM phone_numbers WHERE (@tenant::uuid IS NULL OR tenant_id = @tenant) ORDER BY number OFFSET @offset LIMIT @limit",
            new { tenant, offset = (page - 1) * pageSize, limit = pageSize })).ToArray();
    }

    private async Task AssertEveryPageMatchesOffsetAsync(HttpClient client, Guid? tenant, string filter = "")
    {
        const int pageSize = 3;
        var total = await CountAsync("SELECT count(*) FROM phone_numbers WHERE (@tenant::uuid IS NULL OR tenant_id = @tenant)", new { tenant });
        for (var page = 1; page <= total / pageSize + 2; page++)
            Assert.That(await PageAsync(client, $"{filter}page={page}&page_size={pageSize}"), Is.EqualTo(await OffsetTruthAsync(tenant, page, pageSize)),
                $"page {page} of {total} numbers");
    }

    private static string[] Block(string prefix, int n) => Enumerable.Range(0, n).Select(i => $"{prefix}{i * 7 % 100:D2}").Distinct().ToArray();

    [Test]
    public async Task Every_page_of_the_whole_list_equals_an_offset_read_and_anchors_are_built_once()
    {
        await ImportAsync(Block("+1201555000", 40).Reverse().ToArray());
        var before = Anchors.Rebuilds;

        await AssertEveryPageMatchesOffsetAsync(Admin, null);
        await AssertEveryPageMatchesOffsetAsync(Admin, null);

        Assert.That(Anchors.Rebuilds - before, Is.EqualTo(1), "nothing changed between the deep pages: one build serves them all");
    }

    [Test]
    public async Task A_deep_page_right_after_an_import_of_earlier_numbers_is_shifted_by_them()
    {
        await ImportAsync(Block("+1202555000", 30));
        var page = await PageAsync(Admin, "page=4&page_size=3");
        Assert.That(page, Is.EqualTo(await OffsetTruthAsync(null, 4, 3)));

        await ImportAsync("+1100000001", "+1100000002"); // sort before everything: every later position moves by two
        var rebuilds = Anchors.Rebuilds;
        var shifted = await PageAsync(Admin, "page=4&page_size=3");

        Assert.That(shifted, Is.EqualTo(await OffsetTruthAsync(null, 4, 3)));
        Assert.That(shifted, Is.Not.EqualTo(page));
        Assert.That(Anchors.Rebuilds, Is.EqualTo(rebuilds + 1), "the import moved the epoch, so the anchors were rebuilt");
    }

    [Test]
    public async Task A_deep_page_right_after_a_release_no_longer_holds_the_released_number()
    {
        var ids = await ImportAsync(Block("+1203555000", 30));
        await PageAsync(Admin, "page=6&page_size=3");
        var released = ids.Keys.Order(StringComparer.Ordinal).First();
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{ids[released]}"), HttpStatusCode.NoContent);

        await AssertEveryPageMatchesOffsetAsync(Admin, null);
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = @released", new { released }), Is.Zero);
    }

    [Test]
    public async Task A_tenants_deep_pages_follow_allocations_and_deallocations_for_platform_and_tenant_admins()
    {
        var tenant = await CreateTenantAsync();
        var tenantAdmin = (await CreateUserAsync("TENANT_ADMIN", tenant.Id)).Client;
        var numbers = Block("+1204555000", 40);
        await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = numbers.Where((_, i) => i % 2 == 0) }),
            HttpStatusCode.OK);
        await AssertEveryPageMatchesOffsetAsync(tenantAdmin, tenant.Id);
        await AssertEveryPageMatchesOffsetAsync(Admin, tenant.Id, $"tenant_id={tenant.Id}&");

        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = numbers.Where((_, i) => i % 2 == 1) }),
            HttpStatusCode.OK);
        await AssertEveryPageMatchesOffsetAsync(tenantAdmin, tenant.Id);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = numbers.Take(9) }), HttpStatusCode.OK);
        await AssertEveryPageMatchesOffsetAsync(tenantAdmin, tenant.Id);
        await AssertEveryPageMatchesOffsetAsync(Admin, tenant.Id, $"tenant_id={tenant.Id}&");
    }

    [Test]
    public async Task A_tenant_admin_asking_for_another_tenants_deep_page_sees_nothing()
    {
        var mine = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var numbers = Block("+1205555000", 20);
        await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = other.Id, numbers }), HttpStatusCode.OK);
        var admin = (await CreateUserAsync("TENANT_ADMIN", mine.Id)).Client;

        Assert.That(await PageAsync(admin, $"tenant_id={other.Id}&page=3&page_size=3"), Is.Empty);
        Assert.That(await PageAsync(admin, "page=3&page_size=3"), Is.Empty);
    }

    [Test]
    public async Task A_deep_page_holding_the_last_pooled_connection_still_gets_its_anchors_built()
    {
        await ImportAsync(Block("+1209555000", 40));
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(App.ConnectionString) { Pooling = true, MaxPoolSize = 2, Timeout = 3 }.ConnectionString;
        await using var app = new Did.Tests.Support.DidApp(cs, Settings);
        var client = app.CreateClient();
        var token = (await Expect(await client.PostAsJsonAsync("/api/v1/auth/token",
            new { email = Did.Tests.Support.DidApp.AdminEmail, password = Did.Tests.Support.DidApp.AdminPassword }), HttpStatusCode.OK))
            .GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await Expect(await client.GetAsync("/api/v1/dids?page_size=1"), HttpStatusCode.OK); // the token's stamp is now cached
        var anchors = app.Services.GetRequiredService<DidPageAnchors>();
        var before = anchors.Rebuilds;

        // Busy elsewhere: one of the two pooled connections is taken, so the deep page below holds the last one while
        // the anchors are built (as many concurrent deep pages as the pool has connections would).
        await using var busy = await app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        foreach (var page in new[] { 4, 5 })
            Assert.That(await PageAsync(client, $"page={page}&page_size=3"), Is.EqualTo(await OffsetTruthAsync(null, page, 3)));
        Assert.That(anchors.Rebuilds - before, Is.EqualTo(1), "a build waiting for a pooled connection fails, and the next page builds again");
    }

    [Test]
    public async Task A_page_past_the_end_is_empty()
    {
        await ImportAsync(Block("+1206555000", 12));
        var total = await CountAsync("SELECT count(*) FROM phone_numbers");

        Assert.That(await PageAsync(Admin, $"page={total + 1}&page_size=1"), Is.Empty);
        Assert.That(await PageAsync(Admin, $"page={total}&page_size=1"), Is.EqualTo(await OffsetTruthAsync(null, (int)total, 1)));
        Assert.That(await PageAsync(Admin, "page=100000&page_size=200"), Is.Empty);
    }

    [Test]
    public async Task Filtered_deep_pages_page_by_offset_and_stay_exact()
    {
        var numbers = Block("+1207555000", 30);
        await ImportAsync(numbers);
        var tenant = await CreateTenantAsync();
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = numbers.Take(10) }), HttpStatusCode.OK);
        await using var conn = await Db.OpenConnectionAsync();
        var unassigned = (await conn.QueryAsync<string>("SELECT number FROM phone_numbers WHERE status = 'UNASSIGNED' ORDER BY number")).ToArray();

        Assert.That(await PageAsync(Admin, "status=UNASSIGNED&page=5&page_size=3"), Is.EqualTo(unassigned.Skip(12).Take(3)));
    }

    [Test]
    public async Task The_list_epoch_moves_with_inserts_deletes_and_tenant_changes_but_not_with_status_changes()
    {
        var tenant = await CreateTenantAsync();
        await using var conn = await Db.OpenConnectionAsync();
        async Task<long> Epoch() => await conn.ExecuteScalarAsync<long>("SELECT epoch FROM did_list_epoch");
        var start = await Epoch();

        await conn.ExecuteAsync("INSERT INTO phone_numbers (id, number) VALUES (gen_random_uuid(), '+12085550001'), (gen_random_uuid(), '+12085550002')");
        var afterInsert = await Epoch();
        await conn.ExecuteAsync("UPDATE phone_numbers SET status = 'ALLOCATED', tenant_id = @t WHERE number = '+12085550001'", new { t = tenant.Id });
        var afterAllocate = await Epoch();
        await conn.ExecuteAsync("UPDATE phone_numbers SET status = 'ALLOCATED', updated_at = now() WHERE number = '+12085550001'");
        var afterStatusOnly = await Epoch();
        await conn.ExecuteAsync("DELETE FROM phone_numbers WHERE number = '+12085550002'");
        var afterDelete = await Epoch();

        Assert.That(new[] { afterInsert - start, afterAllocate - afterInsert, afterStatusOnly - afterAllocate, afterDelete - afterStatusOnly },
            Is.EqualTo(new long[] { 1, 1, 0, 1 }), "one bump per statement that can reorder the list (a two-row insert is one)");
    }
}
