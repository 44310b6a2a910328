using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Dids;

public sealed class AllocationTests : DidFixture
{
    private async Task<string> NumberOf(Guid id) =>
        (await Expect(await Admin.GetAsync($"/api/v1/dids/{id}"), HttpStatusCode.OK)).GetProperty("number").GetString()!;

    [Test]
    public async Task Allocate_moves_an_unassigned_number_to_the_tenant_and_audits_it()
    {
        var tenant = await CreateTenantAsync();
        var id = await ImportOneAsync();
        var body = await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ALLOCATED"));
        Assert.That(body.GetProperty("tenant_id").GetGuid(), Is.EqualTo(tenant.Id));

        var audit = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_type=PHONE_NUMBER&entity_id={id}"), HttpStatusCode.OK);
        var row = audit.GetProperty("items")[0];
        Assert.That(row.GetProperty("action").GetString(), Is.EqualTo("ALLOCATE"));
        Assert.That(row.GetProperty("tenant_id").GetGuid(), Is.EqualTo(tenant.Id));
        Assert.That(row.GetProperty("before").GetProperty("status").GetString(), Is.EqualTo("UNASSIGNED"));
        Assert.That(row.GetProperty("after").GetProperty("status").GetString(), Is.EqualTo("ALLOCATED"));
    }

    [Test]
    public async Task Allocate_of_an_allocated_number_is_a_409_naming_the_holder()
    {
        var holder = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var id = await ImportOneAsync();
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = holder.Id }), HttpStatusCode.OK);
        var body = await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = other.Id }), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo($"DID {await NumberOf(id)} is already allocated to tenant '{holder.Name}'."));
    }

    /// <summary>The number comes from the route: an "id" in the body is an unknown property (400 naming it) and the number
    /// stays unassigned, not a 200 that drops it and allocates the route's number.</summary>
    [Test]
    public async Task Allocate_with_an_id_in_the_body_is_a_400_naming_it_and_allocates_nothing()
    {
        var tenant = await CreateTenantAsync();
        var id = await ImportOneAsync();
        var other = await ImportOneAsync();
        var body = await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id, id = other }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'id'"));
        Assert.That(await NumberStatusAsync(id), Is.EqualTo("UNASSIGNED"));
        Assert.That(await NumberStatusAsync(other), Is.EqualTo("UNASSIGNED"));
    }

    [Test]
    public async Task Allocate_to_an_unknown_tenant_is_a_400_on_tenant_id()
    {
        var id = await ImportOneAsync();
        var body = await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = Guid.NewGuid() }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty("tenant_id", out _), Is.True);
    }

    [Test]
    public async Task Allocate_of_an_unknown_number_is_a_404()
    {
        var tenant = await CreateTenantAsync();
        await Expect(await Patch(Admin, $"/api/v1/dids/{Guid.NewGuid()}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Of_twenty_parallel_allocations_of_one_number_exactly_one_succeeds()
    {
        var tenants = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CreateTenantAsync()));
        var id = await ImportOneAsync();
        var responses = await Task.WhenAll(tenants.Select(t => Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = t.Id })));
        var codes = responses.Select(r => r.StatusCode).ToList();
        Assert.That(codes.Count(c => c == HttpStatusCode.OK), Is.EqualTo(1), string.Join(",", codes));
        Assert.That(codes.Count(c => c == HttpStatusCode.Conflict), Is.EqualTo(19), string.Join(",", codes));
        var winner = tenants[codes.IndexOf(HttpStatusCode.OK)];
        var did = await Expect(await Admin.GetAsync($"/api/v1/dids/{id}"), HttpStatusCode.OK);
        Assert.That(did.GetProperty("tenant_id").GetGuid(), Is.EqualTo(winner.Id));
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE entity_id = @id AND action = 'ALLOCATE'", new { id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Deallocate_takes_an_allocated_number_back_into_quarantine_and_audits_it()
    {
        var tenant = await CreateTenantAsync();
        var id = await ImportOneAsync();
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.OK);
        var body = await Expect(await Admin.PatchAsync($"/api/v1/dids/{id}/deallocate", null), HttpStatusCode.OK);
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
        Assert.That(body.GetProperty("tenant_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE entity_id = @id AND action = 'DEALLOCATE' AND tenant_id = @t",
            new { id, t = tenant.Id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Deallocate_of_an_unassigned_number_is_a_409() =>
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{await ImportOneAsync()}/deallocate", null), HttpStatusCode.Conflict);

    [Test]
    public async Task Deallocate_of_an_unknown_number_is_a_404() =>
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{Guid.NewGuid()}/deallocate", null), HttpStatusCode.NotFound);

    [Test]
    public async Task Release_deletes_an_unassigned_number_and_audits_it()
    {
        var id = await ImportOneAsync();
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.NoContent);
        await Expect(await Admin.GetAsync($"/api/v1/dids/{id}"), HttpStatusCode.NotFound);
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE entity_id = @id AND action = 'RELEASE' AND before IS NOT NULL", new { id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Release_of_an_allocated_number_is_a_409_naming_the_tenant()
    {
        var tenant = await CreateTenantAsync();
        var id = await ImportOneAsync();
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.OK);
        var body = await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(tenant.Name));
    }

    [TestCase("SUPPORT")]
    [TestCase("TENANT_ADMIN")]
    public async Task Only_a_platform_admin_may_allocate_deallocate_or_release(string role)
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync(role, role == "SUPPORT" ? null : tenant.Id);
        var id = await ImportOneAsync();
        await Expect(await Patch(user.Client, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.Forbidden);
        await Expect(await user.Client.PatchAsync($"/api/v1/dids/{id}/deallocate", null), HttpStatusCode.Forbidden);
        await Expect(await user.Client.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.Forbidden);
        await Expect(await user.Client.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = new[] { NewNumber() } }), HttpStatusCode.Forbidden);
        await Expect(await user.Client.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = new[] { NewNumber() } }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Bulk_allocate_hands_a_block_to_a_tenant_with_one_audit_row()
    {
        var tenant = await CreateTenantAsync();
        var numbers = NewNumbers(500);
        await ImportAsync(numbers);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(500));
        Assert.That(body.GetProperty("failed").GetInt64(), Is.Zero);
        Assert.That(body.TryGetProperty("errors", out _), Is.False, "errors belong to the 400 alone");
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE tenant_id = @t AND status = 'ALLOCATED'", new { t = tenant.Id }), Is.EqualTo(500));
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'ALLOCATE' AND tenant_id = @t AND entity_id IS NULL AND (after->>'count')::int = 500",
            new { t = tenant.Id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Bulk_allocate_with_any_bad_number_changes_nothing_and_lists_every_problem()
    {
        var holder = await CreateTenantAsync();
        var tenant = await CreateTenantAsync();
        var n = NewNumbers(3);
        await ImportAsync(n);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = holder.Id, numbers = new[] { n[2] } }), HttpStatusCode.OK);
        var unknown = NewNumber();
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate",
            new { tenant_id = tenant.Id, numbers = new[] { n[0], "12345", unknown, n[0], n[2], n[1] } }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("updated").GetInt64(), Is.Zero);
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(4));
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "numbers[1]: Not a valid number (INVALID_COUNTRY_CODE): '12345' (a national form needs default_region, or write it as +<country code><number>)",
            $"numbers[2]: Unknown number: {unknown}",
            $"numbers[3]: Duplicate number: {n[0]} (also at numbers[0])",
            $"numbers[4]: DID {n[2]} is already allocated to tenant '{holder.Name}'",
        }));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE tenant_id = @t", new { t = tenant.Id }), Is.Zero);
    }

    [Test]
    public async Task Bulk_allocate_refuses_a_number_written_with_characters_a_number_does_not_hold()
    {
        var tenant = await CreateTenantAsync();
        var n = NewNumber();
        await ImportAsync(n);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate",
            new { tenant_id = tenant.Id, numbers = new[] { n + " *" } }), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[] { $"numbers[0]: Not a valid number (NOT_A_NUMBER): '{n} *'" }));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE tenant_id = @t", new { t = tenant.Id }), Is.Zero);
    }

    /// <summary>The row problems are the map of every other 400: each row's location is a key, in the order of the rows,
    /// and its messages carry no location of their own.</summary>
    [Test]
    public async Task Bulk_allocate_keys_each_rows_problems_by_the_row()
    {
        var tenant = await CreateTenantAsync();
        var n = NewNumbers(2);
        await ImportAsync(n[0]);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate",
            new { tenant_id = tenant.Id, numbers = new[] { n[0], n[1], n[0] } }), HttpStatusCode.BadRequest);
        var errors = body.GetProperty("errors");
        Assert.That(errors.ValueKind, Is.EqualTo(JsonValueKind.Object), body.ToString());
        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "numbers[1]", "numbers[2]" }));
        Assert.That(errors.GetProperty("numbers[1]").EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { $"Unknown number: {n[1]}" }));
        Assert.That(errors.GetProperty("numbers[2]").EnumerateArray().Select(m => m.GetString()),
            Is.EqualTo(new[] { $"Duplicate number: {n[0]} (also at numbers[0])" }));
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(2));
        Assert.That(body.GetProperty("updated").GetInt64(), Is.Zero);
        Assert.That(body.GetProperty("detail").GetString(),
            Is.EqualTo($"Nothing was allocated: 2 refused; the first problem is \"numbers[1]: Unknown number: {n[1]}\"."));
    }

    [Test]
    public async Task Bulk_allocate_to_an_unknown_tenant_is_a_400_on_tenant_id()
    {
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = Guid.NewGuid(), numbers = new[] { NewNumber() } }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty("tenant_id", out _), Is.True);
    }

    [TestCase("tenant_id")]
    [TestCase("TENANT_ID")]
    public async Task Bulk_allocate_naming_tenant_id_twice_is_a_400_and_allocates_nothing(string second)
    {
        var first = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var number = NewNumber();
        await ImportAsync(number);
        var json = $"{{\"tenant_id\":\"{first.Id}\",\"{second}\":\"{other.Id}\",\"numbers\":[\"{number}\"]}}";

        var body = await Expect(await Admin.PostAsync("/api/v1/dids/allocate", new StringContent(json, Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);

        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("send each property once"));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = @number AND tenant_id IS NOT NULL", new { number }), Is.Zero);
    }

    [Test]
    public async Task Bulk_of_more_than_10000_numbers_is_a_400() =>
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = Enumerable.Range(0, 10_001).Select(i => $"+1777{i:D7}") }), HttpStatusCode.BadRequest);

    [Test]
    public async Task Bulk_deallocate_takes_numbers_back_with_one_audit_row()
    {
        var tenant = await CreateTenantAsync();
        var numbers = NewNumbers(20);
        await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers }), HttpStatusCode.OK);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(20));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = ANY(@numbers) AND status = 'QUARANTINED'", new { numbers }), Is.EqualTo(20));
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'DEALLOCATE' AND entity_id IS NULL AND tenant_id = @t AND (after->>'count')::int = 20",
            new { t = tenant.Id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Bulk_deallocate_with_an_unallocated_or_quarantined_number_changes_nothing()
    {
        var tenant = await CreateTenantAsync();
        var n = NewNumbers(3);
        var ids = await ImportAsync(n);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = new[] { n[0], n[1] } }), HttpStatusCode.OK);
        var until = (await Expect(await Admin.PatchAsync($"/api/v1/dids/{ids[n[1]]}/deallocate", null), HttpStatusCode.OK))
            .GetProperty("quarantine_until").GetDateTime().ToUniversalTime();
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = n }), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            $"numbers[1]: DID {n[1]} is not allocated: it is already quarantined until {until:yyyy-MM-dd'T'HH:mm:ss'Z'}",
            $"numbers[2]: DID {n[2]} is not allocated",
        }));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE id = @id AND status = 'ALLOCATED'", new { id = ids[n[0]] }), Is.EqualTo(1));
    }

    [Test]
    public async Task Deleting_a_tenant_that_holds_numbers_is_a_409_naming_them()
    {
        var tenant = await CreateTenantAsync();
        var numbers = NewNumbers(12).Order(StringComparer.Ordinal).ToArray();
        await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers }), HttpStatusCode.OK);
        var body = await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("12 number(s)").And.Contain(numbers[0]).And.Contain(numbers[9]).And.Not.Contain(numbers[10]));
        Assert.That(body.GetProperty("numbers").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(numbers.Take(10)));
    }
}
