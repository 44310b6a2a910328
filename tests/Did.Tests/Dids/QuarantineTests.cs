using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Features.Dids;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>Quarantine before reuse: a number taken back from a tenant rests QUARANTINED for Dids:QuarantineDays (the
/// default, 30, here), only that tenant may have it back meanwhile, a platform admin may end it early with a reason, and
/// the sweep frees it when it runs out.</summary>
public sealed class QuarantineTests : DidFixture
{
    // The sweep and the fold run only when a test calls them.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Dids:QuarantineSweepSeconds"] = "0", ["Dids:CountFoldSeconds"] = "0",
    };

    private QuarantineSweep Sweep => App.Services.GetServices<IHostedService>().OfType<QuarantineSweep>().Single();

    private PhoneNumberCountsFolder Folder => App.Services.GetServices<IHostedService>().OfType<PhoneNumberCountsFolder>().Single();

    /// <summary>A number imported and allocated to <paramref name="tenant"/>.</summary>
    private async Task<(Guid Id, string Number)> HeldAsync(Guid tenant)
    {
        var number = NewNumber();
        var id = (await ImportAsync(number))[number];
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant }), HttpStatusCode.OK);
        return (id, number);
    }

    private async Task<JsonElement> DeallocateAsync(Guid id) =>
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{id}/deallocate", null), HttpStatusCode.OK);

    private async Task<JsonElement> GetAsync(Guid id) => await Expect(await Admin.GetAsync($"/api/v1/dids/{id}"), HttpStatusCode.OK);

    private async Task ExpireAsync(Guid id)
    {
        await using var conn = await Db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE phone_numbers SET quarantine_until = now() - interval '1 minute' WHERE id = @id", new { id });
    }

    private async Task<DateTime> DatabaseNowAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<DateTime>("SELECT now()");
    }

    private static Task<HttpResponseMessage> EndAsync(HttpClient client, Guid id, object body) =>
        client.PostAsJsonAsync($"/api/v1/dids/{id}/quarantine/end", body);

    private async Task<JsonElement[]> HistoryAsync(Guid id) =>
        (await Expect(await Admin.GetAsync($"/api/v1/dids/{id}/history?page_size=200"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToArray();

    private static string[] Actions(JsonElement[] entries) => entries.Select(e => e.GetProperty("action").GetString()!).ToArray();

    [Test]
    public async Task Deallocate_quarantines_the_number_for_thirty_days_remembering_the_tenant()
    {
        var tenant = await CreateTenantAsync();
        var (id, _) = await HeldAsync(tenant.Id);
        var now = await DatabaseNowAsync();

        var body = await DeallocateAsync(id);

        Assert.That((body.GetProperty("status").GetString(), body.GetProperty("tenant_id").ValueKind),
            Is.EqualTo(("QUARANTINED", JsonValueKind.Null)));
        Assert.That(body.GetProperty("quarantined_from_tenant_id").GetGuid(), Is.EqualTo(tenant.Id));
        Assert.That(body.GetProperty("quarantine_until").GetDateTime().ToUniversalTime(),
            Is.EqualTo(now.ToUniversalTime().AddDays(30)).Within(TimeSpan.FromMinutes(5)));
        var stored = await GetAsync(id);
        Assert.That((stored.GetProperty("status").GetString(), stored.GetProperty("quarantined_from_tenant_id").GetGuid(),
                stored.GetProperty("quarantine_until").GetDateTime()),
            Is.EqualTo(("QUARANTINED", tenant.Id, body.GetProperty("quarantine_until").GetDateTime())));
        var deallocate = (await HistoryAsync(id))[^1];
        Assert.That((deallocate.GetProperty("action").GetString(), deallocate.GetProperty("after").GetProperty("status").GetString(),
                deallocate.GetProperty("tenant_id").GetGuid()),
            Is.EqualTo(("DEALLOCATE", "QUARANTINED", tenant.Id)));
    }

    [Test]
    public async Task Deallocate_of_an_assigned_number_ends_its_route_in_the_same_transaction_with_an_unassign_entry()
    {
        var tenant = await CreateTenantAsync();
        var (id, _) = await HeldAsync(tenant.Id);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{id}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
            HttpStatusCode.Created);

        var body = await DeallocateAsync(id);

        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
        Assert.That(await CountAsync("SELECT count(*) FROM did_assignments WHERE phone_number_id = @id", new { id }), Is.Zero);
        var history = await HistoryAsync(id);
        Assert.That(Actions(history)[^2..], Is.EqualTo(new[] { "UNASSIGN", "DEALLOCATE" }));
        Assert.That(history[^2].GetProperty("before").GetProperty("assigned_value").GetString(), Is.EqualTo("Hangup()"));
        Assert.That(history[^2].GetProperty("tenant_id").GetGuid(), Is.EqualTo(tenant.Id));
    }

    [Test]
    public async Task Deallocate_of_a_quarantined_number_is_a_409_naming_its_date()
    {
        var tenant = await CreateTenantAsync();
        var (id, number) = await HeldAsync(tenant.Id);
        var until = (await DeallocateAsync(id)).GetProperty("quarantine_until").GetDateTime();

        var body = await Expect(await Admin.PatchAsync($"/api/v1/dids/{id}/deallocate", null), HttpStatusCode.Conflict);

        Assert.That(body.GetProperty("detail").GetString(),
            Is.EqualTo($"DID {number} is not allocated: it is already quarantined until {until.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}."));
    }

    [Test]
    public async Task The_tenant_it_came_from_may_have_it_back_and_the_quarantine_ends()
    {
        var tenant = await CreateTenantAsync();
        var (id, _) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);

        var body = await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = tenant.Id }), HttpStatusCode.OK);

        Assert.That((body.GetProperty("status").GetString(), body.GetProperty("tenant_id").GetGuid()), Is.EqualTo(("ALLOCATED", tenant.Id)));
        Assert.That((body.GetProperty("quarantine_until").ValueKind, body.GetProperty("quarantined_from_tenant_id").ValueKind),
            Is.EqualTo((JsonValueKind.Null, JsonValueKind.Null)));
        var allocate = (await HistoryAsync(id))[^1];
        Assert.That((allocate.GetProperty("action").GetString(), allocate.GetProperty("before").GetProperty("status").GetString()),
            Is.EqualTo(("ALLOCATE", "QUARANTINED")));
    }

    [Test]
    public async Task Another_tenant_gets_a_409_naming_the_date_it_frees_up_and_nothing_changes()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var (id, number) = await HeldAsync(from.Id);
        var until = (await DeallocateAsync(id)).GetProperty("quarantine_until").GetDateTime().ToUniversalTime();

        var body = await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = other.Id }), HttpStatusCode.Conflict);

        var date = until.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo(
            $"DID {number} is quarantined until {date} after leaving tenant '{from.Name}'; only that tenant may have it back before then; " +
            $"it frees up for any tenant at {date}."));
        Assert.That((await GetAsync(id)).GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
    }

    [Test]
    public async Task Bulk_allocate_to_another_tenant_lists_each_quarantined_number_with_its_date_and_changes_nothing()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var (id, number) = await HeldAsync(from.Id);
        await DeallocateAsync(id);
        var free = NewNumber();
        await ImportAsync(free);

        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = other.Id, numbers = new[] { free, number } }),
            HttpStatusCode.BadRequest);

        Assert.That(Errors(body).Single(), Does.StartWith($"numbers[1]: DID {number} is quarantined until ").And.Contain("it frees up for any tenant at"));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = ANY(@n) AND tenant_id IS NOT NULL", new { n = new[] { free, number } }),
            Is.Zero);
    }

    [Test]
    public async Task Bulk_allocate_to_the_same_tenant_takes_its_quarantined_numbers_back_with_free_ones()
    {
        var tenant = await CreateTenantAsync();
        var (id, number) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);
        var free = NewNumber();
        var freeId = (await ImportAsync(free))[free];

        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = new[] { number, free } }),
            HttpStatusCode.OK);

        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(2));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = ANY(@n) AND status = 'ALLOCATED' AND quarantine_until IS NULL",
            new { n = new[] { free, number } }), Is.EqualTo(2));
        Assert.That((await HistoryAsync(id))[^1].GetProperty("before").GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
        Assert.That((await HistoryAsync(freeId))[^1].GetProperty("before").GetProperty("status").GetString(), Is.EqualTo("UNASSIGNED"));
    }

    /// <summary>A bulk allocation's audit row holds its request and how many numbers came out of quarantine, not which:
    /// listed, a range of 100,000 made the row 4 MB, and every page of the audit log that showed it as large.</summary>
    [Test]
    public async Task A_range_allocation_out_of_quarantine_keeps_its_audit_row_the_size_of_its_request()
    {
        var tenant = await CreateTenantAsync();
        var prefix = $"+1347{Random.Shared.Next(200, 1000)}0";
        var range = new { from = prefix + "000", to = prefix + "499" };
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { range }), HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, range }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { range }), HttpStatusCode.OK);

        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, range }), HttpStatusCode.OK);

        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(500));
        Assert.That(await CountAsync("SELECT max(octet_length(after::text)) FROM audit_logs WHERE action = 'ALLOCATE' AND tenant_id = @t",
            new { t = tenant.Id }), Is.LessThan(1_000));
        var id = await ImportedIdAsync(prefix + "123");
        var history = await HistoryAsync(id);
        Assert.That(history[^1].GetProperty("before").GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
        Assert.That(history[^3].GetProperty("before").GetProperty("status").GetString(), Is.EqualTo("UNASSIGNED"));
    }

    private async Task<Guid> ImportedIdAsync(string number)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<Guid>("SELECT id FROM phone_numbers WHERE number = @number", new { number });
    }

    [Test]
    public async Task A_range_allocate_to_another_tenant_lists_the_quarantined_number_in_it()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var numbers = NewNumbers(3);
        var ids = await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = from.Id, numbers = new[] { numbers[1] } }), HttpStatusCode.OK);
        await DeallocateAsync(ids[numbers[1]]);

        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate",
            new { tenant_id = other.Id, range = new { from = numbers[0], to = numbers[2] } }), HttpStatusCode.BadRequest);

        Assert.That(Errors(body).Single(), Does.StartWith($"range[1]: DID {numbers[1]} is quarantined until "));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = ANY(@numbers) AND status = 'UNASSIGNED'", new { numbers }),
            Is.EqualTo(2));
    }

    [Test]
    public async Task Bulk_deallocate_quarantines_every_number_and_ends_the_routes_of_the_assigned_ones()
    {
        var tenant = await CreateTenantAsync();
        var numbers = NewNumbers(3);
        var ids = await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{ids[numbers[2]]}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
            HttpStatusCode.Created);

        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers }), HttpStatusCode.OK);

        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(3));
        Assert.That(await CountAsync("""
            SELECT count(*) FROM phone_numbers
            WHERE number = ANY(@numbers) AND status = 'QUARANTINED' AND quarantined_from_tenant_id = @tenant AND quarantine_until > now()
            """, new { numbers, tenant = tenant.Id }), Is.EqualTo(3));
        Assert.That(await CountAsync("SELECT count(*) FROM did_assignments WHERE phone_number_id = @id", new { id = ids[numbers[2]] }), Is.Zero);
        var history = await HistoryAsync(ids[numbers[2]]);
        Assert.That(Actions(history)[^2..], Is.EqualTo(new[] { "UNASSIGN", "DEALLOCATE" }));
        var after = history[^1].GetProperty("after");
        Assert.That((after.GetProperty("status").GetString(), after.GetProperty("quarantined_from_tenant_id").GetGuid()),
            Is.EqualTo(("QUARANTINED", tenant.Id)));
    }

    [Test]
    public async Task A_platform_admin_ends_a_quarantine_early_with_a_reason_and_then_anyone_may_have_the_number()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var (id, _) = await HeldAsync(from.Id);
        await DeallocateAsync(id);

        var body = await Expect(await EndAsync(Admin, id, new { reason = "Ported out by the carrier" }), HttpStatusCode.OK);

        Assert.That((body.GetProperty("status").GetString(), body.GetProperty("quarantine_until").ValueKind), Is.EqualTo(("UNASSIGNED", JsonValueKind.Null)));
        var end = (await HistoryAsync(id))[^1];
        Assert.That((end.GetProperty("action").GetString(), end.GetProperty("after").GetProperty("reason").GetString(),
                end.GetProperty("before").GetProperty("quarantined_from_tenant_id").GetGuid(), end.GetProperty("actor_id").ValueKind),
            Is.EqualTo(("END_QUARANTINE", "Ported out by the carrier", from.Id, JsonValueKind.String)));
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = other.Id }), HttpStatusCode.OK);
    }

    [Test]
    public async Task Ending_a_quarantine_of_a_number_that_is_not_quarantined_is_a_409()
    {
        var tenant = await CreateTenantAsync();
        var (id, number) = await HeldAsync(tenant.Id);

        var body = await Expect(await EndAsync(Admin, id, new { reason = "why not" }), HttpStatusCode.Conflict);

        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo($"DID {number} is not quarantined (it is ALLOCATED)."));
    }

    [TestCase("{\"reason\":\"\"}")]
    [TestCase("{\"reason\":\"   \"}")]
    [TestCase("{\"reason\":\"line\\nbreak\"}")]
    [TestCase("{\"reason\":\"\\u200b\"}")]
    [TestCase("{\"reason\":\" \\u200e\\u00ad \"}")]
    [TestCase("{\"reason\":\"customer \\u202easked\"}")]
    public async Task Ending_a_quarantine_without_a_plain_reason_is_a_400_on_reason_and_changes_nothing(string json)
    {
        var tenant = await CreateTenantAsync();
        var (id, _) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);

        var body = await Expect(await SendJson(Admin, HttpMethod.Post, $"/api/v1/dids/{id}/quarantine/end", json), HttpStatusCode.BadRequest);

        Assert.That(body.GetProperty("errors").TryGetProperty("reason", out _), Is.True, body.ToString());
        Assert.That((await GetAsync(id)).GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
    }

    [TestCase("{}", "Missing required property 'reason'")]
    [TestCase("{\"reason\":null}", "$.reason")]
    public async Task Ending_a_quarantine_with_no_reason_at_all_is_a_400_naming_it(string json, string detail)
    {
        var tenant = await CreateTenantAsync();
        var (id, _) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);

        var body = await Expect(await SendJson(Admin, HttpMethod.Post, $"/api/v1/dids/{id}/quarantine/end", json), HttpStatusCode.BadRequest);

        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(detail));
        Assert.That((await GetAsync(id)).GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
    }

    [Test]
    public async Task Ending_a_quarantine_with_an_unknown_property_or_of_an_unknown_number_is_refused()
    {
        var tenant = await CreateTenantAsync();
        var (id, _) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);

        await Expect(await SendJson(Admin, HttpMethod.Post, $"/api/v1/dids/{id}/quarantine/end", "{\"reason\":\"r\",\"force\":true}"),
            HttpStatusCode.BadRequest);
        await Expect(await EndAsync(Admin, Guid.NewGuid(), new { reason = "r" }), HttpStatusCode.NotFound);
        Assert.That((await GetAsync(id)).GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
    }

    [Test]
    public async Task The_tenant_a_number_was_taken_from_no_longer_sees_it_and_may_not_end_its_quarantine()
    {
        var tenant = await CreateTenantAsync();
        var tenantAdmin = (await CreateUserAsync("TENANT_ADMIN", tenant.Id)).Client;
        var (id, number) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);

        await Expect(await tenantAdmin.GetAsync($"/api/v1/dids/{id}"), HttpStatusCode.NotFound);
        await Expect(await tenantAdmin.GetAsync($"/api/v1/dids/{id}/history"), HttpStatusCode.NotFound);
        var list = await Expect(await tenantAdmin.GetAsync("/api/v1/dids?status=QUARANTINED"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("total").GetInt64(), Is.Zero);
        await Expect(await EndAsync(tenantAdmin, id, new { reason = "mine" }), HttpStatusCode.Forbidden);
        Assert.That((await GetAsync(id)).GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
        var listed = await Expect(await tenantAdmin.GetAsync($"/api/v1/dids?number={Uri.EscapeDataString(number)}"), HttpStatusCode.OK);
        Assert.That(listed.GetProperty("items").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Releasing_a_quarantined_number_is_a_409_until_its_quarantine_ends()
    {
        var tenant = await CreateTenantAsync();
        var (id, number) = await HeldAsync(tenant.Id);
        var until = (await DeallocateAsync(id)).GetProperty("quarantine_until").GetDateTime().ToUniversalTime();

        var refused = await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.Conflict);
        Assert.That(refused.GetProperty("detail").GetString(), Is.EqualTo(
            $"DID {number} is quarantined until {until:yyyy-MM-dd'T'HH:mm:ss'Z'}; end its quarantine first (POST /api/v1/dids/{id}/quarantine/end) to release it."));
        await Expect(await EndAsync(Admin, id, new { reason = "returning it to the carrier" }), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.NoContent);
    }

    [Test]
    public async Task The_sweep_returns_expired_quarantines_to_the_inventory_as_the_system_and_leaves_running_ones()
    {
        var tenant = await CreateTenantAsync();
        var (expired, _) = await HeldAsync(tenant.Id);
        var (running, _) = await HeldAsync(tenant.Id);
        await DeallocateAsync(expired);
        await DeallocateAsync(running);
        await ExpireAsync(expired);

        var freed = await Sweep.SweepAsync(CancellationToken.None);

        Assert.That(freed, Is.GreaterThanOrEqualTo(1));
        Assert.That((await GetAsync(expired)).GetProperty("status").GetString(), Is.EqualTo("UNASSIGNED"));
        Assert.That((await GetAsync(running)).GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));
        var end = (await HistoryAsync(expired))[^1];
        Assert.That((end.GetProperty("action").GetString(), end.GetProperty("bulk").GetBoolean(), end.GetProperty("actor_id").ValueKind,
                end.GetProperty("before").GetProperty("status").GetString(), end.GetProperty("after").GetProperty("status").GetString()),
            Is.EqualTo(("END_QUARANTINE", true, JsonValueKind.Null, "QUARANTINED", "UNASSIGNED")));
        Assert.That(await Sweep.SweepAsync(CancellationToken.None), Is.Zero, "nothing left to sweep");
    }

    [Test]
    public async Task A_sweep_on_another_replica_skips_while_one_holds_the_lock()
    {
        var tenant = await CreateTenantAsync();
        var (id, _) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);
        await ExpireAsync(id);
        await using var other = await Db.OpenConnectionAsync();
        await using var tx = await other.BeginTransactionAsync();
        Assert.That(await other.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_xact_lock(@key)", new { key = 0x5155415253574550 }, tx), Is.True);

        Assert.That(await Sweep.SweepAsync(CancellationToken.None), Is.Zero);
        Assert.That((await GetAsync(id)).GetProperty("status").GetString(), Is.EqualTo("QUARANTINED"));

        await tx.RollbackAsync();
        Assert.That(await Sweep.SweepAsync(CancellationToken.None), Is.GreaterThanOrEqualTo(1));
        Assert.That((await GetAsync(id)).GetProperty("status").GetString(), Is.EqualTo("UNASSIGNED"));
    }

    [Test]
    public async Task The_database_refuses_to_give_a_quarantined_number_to_another_tenant_whatever_writes_it()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var (id, _) = await HeldAsync(from.Id);
        await DeallocateAsync(id);
        await using var conn = await Db.OpenConnectionAsync();

        var e = Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync(
            "UPDATE phone_numbers SET status = 'ALLOCATED', tenant_id = @other, quarantine_until = NULL, quarantined_from_tenant_id = NULL WHERE id = @id",
            new { id, other = other.Id }));

        Assert.That((e!.SqlState, e.ConstraintName), Is.EqualTo(("23514", "ck_phone_numbers_quarantine_holds")));
        Assert.That(await conn.ExecuteAsync(
            "UPDATE phone_numbers SET status = 'ALLOCATED', tenant_id = @from, quarantine_until = NULL, quarantined_from_tenant_id = NULL WHERE id = @id",
            new { id, from = from.Id }), Is.EqualTo(1), "the tenant it came from may have it");
    }

    [Test]
    public async Task An_expired_quarantine_the_sweep_has_not_reached_is_free_for_any_tenant()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var (id, _) = await HeldAsync(from.Id);
        await DeallocateAsync(id);
        await ExpireAsync(id);

        var body = await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = other.Id }), HttpStatusCode.OK);

        Assert.That(body.GetProperty("tenant_id").GetGuid(), Is.EqualTo(other.Id));
    }

    [Test]
    public async Task The_tenant_given_an_expired_quarantine_does_not_see_the_tenant_it_came_from_in_history_or_audit()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var otherAdmin = (await CreateUserAsync("TENANT_ADMIN", other.Id)).Client;
        var (id, _) = await HeldAsync(from.Id);
        await DeallocateAsync(id);
        await ExpireAsync(id);
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = other.Id }), HttpStatusCode.OK);

        var history = await Expect(await otherAdmin.GetAsync($"/api/v1/dids/{id}/history"), HttpStatusCode.OK);
        var audit = await Expect(await otherAdmin.GetAsync($"/api/v1/audit-logs?entity_id={id}"), HttpStatusCode.OK);
        Assert.That(history.GetProperty("items").GetArrayLength(), Is.EqualTo(1));
        Assert.That(history.GetRawText(), Does.Not.Contain(from.Id.ToString()));
        Assert.That(audit.GetRawText(), Does.Not.Contain(from.Id.ToString()));
    }

    [Test]
    public async Task The_status_filter_counts_quarantined_numbers_exactly_through_quarantine_early_end_and_sweep()
    {
        var tenant = await CreateTenantAsync();
        var provider = Unique("qp");
        var numbers = NewNumbers(5);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids = numbers.Select(n => new { number = n, provider }) }), HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = numbers.Take(4) }), HttpStatusCode.OK);
        var ids = (await ImportedAsync(numbers)).ToArray();

        async Task<(long, long, long)> TotalsAsync()
        {
            long Total(JsonElement b) => b.GetProperty("total").GetInt64();
            return (Total(await Expect(await Admin.GetAsync($"/api/v1/dids?provider={provider}&status=QUARANTINED"), HttpStatusCode.OK)),
                Total(await Expect(await Admin.GetAsync($"/api/v1/dids?provider={provider}&status=UNASSIGNED"), HttpStatusCode.OK)),
                Total(await Expect(await Admin.GetAsync($"/api/v1/dids?provider={provider}&status=ALLOCATED"), HttpStatusCode.OK)));
        }

        Assert.That(await TotalsAsync(), Is.EqualTo((4L, 0L, 1L)));
        var listed = await Expect(await Admin.GetAsync($"/api/v1/dids?provider={provider}&status=QUARANTINED"), HttpStatusCode.OK);
        Assert.That(listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()), Is.EqualTo(numbers.Take(4)));
        await Expect(await EndAsync(Admin, ids[0], new { reason = "early" }), HttpStatusCode.OK);
        await ExpireAsync(ids[1]);
        await Sweep.SweepAsync(CancellationToken.None);
        Assert.That(await TotalsAsync(), Is.EqualTo((2L, 2L, 1L)), "from the pending deltas");
        await Folder.FoldAsync(CancellationToken.None);
        Assert.That(await TotalsAsync(), Is.EqualTo((2L, 2L, 1L)), "from the folded counts");
    }

    [Test]
    public async Task The_export_writes_the_quarantined_state()
    {
        var tenant = await CreateTenantAsync();
        var (id, number) = await HeldAsync(tenant.Id);
        await DeallocateAsync(id);

        var text = await (await Admin.GetAsync($"/api/v1/dids/export?status=QUARANTINED&number={Uri.EscapeDataString(number)}")).Content.ReadAsStringAsync();

        Assert.That(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1], Does.StartWith($"{number},QUARANTINED,,"));
    }

    private async Task<IEnumerable<Guid>> ImportedAsync(IEnumerable<string> numbers)
    {
        await using var conn = await Db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<(string Number, Guid Id)>("SELECT number, id FROM phone_numbers WHERE number = ANY(@n)",
            new { n = numbers.ToArray() })).ToDictionary(r => r.Number, r => r.Id);
        return numbers.Select(n => rows[n]);
    }
}

/// <summary>With Dids:QuarantineDays 0 there is no quarantine: a deallocated number goes straight back to the inventory.</summary>
public sealed class NoQuarantineTests : DidFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Dids:QuarantineDays"] = "0" };

    [Test]
    public async Task Deallocate_returns_the_number_to_unassigned_free_for_any_tenant()
    {
        var from = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var number = NewNumber();
        var id = (await ImportAsync(number))[number];
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = from.Id }), HttpStatusCode.OK);

        var body = await Expect(await Admin.PatchAsync($"/api/v1/dids/{id}/deallocate", null), HttpStatusCode.OK);

        Assert.That((body.GetProperty("status").GetString(), body.GetProperty("quarantine_until").ValueKind, body.GetProperty("quarantined_from_tenant_id").ValueKind),
            Is.EqualTo(("UNASSIGNED", JsonValueKind.Null, JsonValueKind.Null)));
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = other.Id }), HttpStatusCode.OK);
    }
}
