using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using FluentMigrator.Runner;
using Did.Features.Dids;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>The DID list's <c>total</c> is exact for every filter but number search, whatever happened just before (bulk
/// imports, allocations, routes; no ANALYZE anywhere), with the deltas pending or folded. The truth each total is checked
/// against is a count over the tables themselves.</summary>
public sealed class TotalTests : DidFixture
{
    private static readonly string?[] Statuses = [null, "UNASSIGNED", "ALLOCATED", "ASSIGNED", "QUARANTINED"];
    private static readonly string?[] Types = [null, "USER", "IVR", "QUEUE", "EXTERNAL"];

    // Folding only when a test says so, so that a total is checked both from pending deltas and from folded counts.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Dids:CountFoldSeconds"] = "0" };

    private PhoneNumberCountsFolder Folder => App.Services.GetServices<IHostedService>().OfType<PhoneNumberCountsFolder>().Single();

    private sealed record Group(string Status, Guid? TenantId, string? Provider, string? AssignedType, long N);

    private async Task<List<Group>> TruthAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return (await conn.QueryAsync<Group>("""
            SELECT p.status, p.tenant_id, p.provider, a.assigned_type, count(*) AS n
            FROM phone_numbers p LEFT JOIN did_assignments a ON a.phone_number_id = p.id
            GROUP BY 1, 2, 3, 4
            """)).AsList();
    }

    private static long Expected(List<Group> truth, string? status, Guid? tenant, string? provider, string? type) =>
        truth.Where(g => (status is null || g.Status == status) && (tenant is null || g.TenantId == tenant)
                         && (provider is null || g.Provider == provider) && (type is null || g.AssignedType == type)).Sum(g => g.N);

    private static string Query(string? status, Guid? tenant, string? provider, string? type)
    {
        var q = new List<string> { "page_size=1" };
        if (status is not null) q.Add($"status={status}");
        if (tenant is not null) q.Add($"tenant_id={tenant}");
        if (provider is not null) q.Add($"provider={provider}");
        if (type is not null) q.Add($"assigned_type={type}");
        return "/api/v1/dids?" + string.Join("&", q);
    }

    private async Task<JsonElement> List(HttpClient client, string url) => await Expect(await client.GetAsync(url), HttpStatusCode.OK);

    /// <summary>Every combination of status, tenant, provider and route type, by the platform admin.</summary>
    private async Task AssertEveryTotalIsExactAsync(Guid[] tenants, string[] providers, string when)
    {
        var truth = await TruthAsync();
        var failures = new List<string>();
        foreach (var status in Statuses)
        foreach (var tenant in tenants.Cast<Guid?>().Prepend(null))
        foreach (var provider in providers.Prepend(null))
        foreach (var type in Types)
        {
            var url = Query(status, tenant, provider, type);
            var page = await List(Admin, url);
            var expected = Expected(truth, status, tenant, provider, type);
            if (page.GetProperty("total").GetInt64() != expected || page.GetProperty("total_at_least").ValueKind != JsonValueKind.Null)
                failures.Add($"{url}: total {page.GetProperty("total")}, expected {expected}");
        }
        Assert.That(failures, Is.Empty, when);
    }

    private async Task<Guid> CreateIvrAsync(Guid tenant) =>
        (await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs", new { tenant_id = tenant, name = Unique("ivr"), greeting = "main", timeout_seconds = 5 }),
            HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task AssignAsync(Guid number, object route) =>
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number}/assign", route), HttpStatusCode.Created);

    [Test]
    public async Task Totals_are_exact_for_every_filter_right_after_bulk_imports_allocations_and_routes_and_after_folding()
    {
        var providers = new[] { "carrier-a", "carrier-b", "carrier-c" };
        var numbers = NewNumbers(12_000);
        var csv = "number,provider,metadata\n" + string.Concat(numbers.Select((n, i) => $"{n},{providers[i % 3]},{{}}\n"));
        await Expect(await PostCsv(Admin, csv), HttpStatusCode.Created);
        var a = await CreateTenantAsync();
        var b = await CreateTenantAsync();
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = a.Id, numbers = numbers.Take(6_000) }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = b.Id, numbers = numbers.Skip(6_000).Take(2_500) }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = numbers.Skip(5_000).Take(700) }), HttpStatusCode.OK);

        var user = await CreateUserAsync("USER", a.Id, "1001");
        var ivr = await CreateIvrAsync(a.Id);
        var ids = (await ImportedIdsAsync(numbers.Take(40))).ToArray();
        for (var i = 0; i < 12; i++) await AssignAsync(ids[i], new { assigned_type = "USER", assigned_id = user.Id });
        for (var i = 12; i < 20; i++) await AssignAsync(ids[i], new { assigned_type = "IVR", assigned_id = ivr });
        for (var i = 20; i < 25; i++) await AssignAsync(ids[i], new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" });
        await Expect(await Admin.PutAsJsonAsync($"/api/v1/dids/{ids[0]}/assign", new { assigned_type = "IVR", assigned_id = ivr }), HttpStatusCode.OK);
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{ids[13]}/assign"), HttpStatusCode.NoContent);
        var released = (await ImportedIdsAsync(numbers.Skip(9_000).Take(3))).ToArray();
        foreach (var id in released) await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.NoContent);

        await AssertEveryTotalIsExactAsync([a.Id, b.Id], providers, "from the deltas, before any fold");
        Assert.That(await Folder.FoldAsync(CancellationToken.None), Is.GreaterThan(0));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_number_count_deltas"), Is.Zero);
        await AssertEveryTotalIsExactAsync([a.Id, b.Id], providers, "from the folded counts");

        var whole = await List(Admin, "/api/v1/dids?page_size=1");
        Assert.That(whole.GetProperty("total").GetInt64(), Is.EqualTo(await CountAsync("SELECT count(*) FROM phone_numbers")));
    }

    [Test]
    public async Task A_tenant_admin_gets_its_own_tenants_totals_whatever_tenant_id_it_sends()
    {
        var mine = await CreateTenantAsync();
        var theirs = await CreateTenantAsync();
        var numbers = NewNumbers(30);
        await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = mine.Id, numbers = numbers.Take(10) }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = theirs.Id, numbers = numbers.Skip(10).Take(15) }), HttpStatusCode.OK);
        var admin = (await CreateUserAsync("TENANT_ADMIN", mine.Id)).Client;

        Assert.That((await List(admin, "/api/v1/dids")).GetProperty("total").GetInt64(), Is.EqualTo(10));
        Assert.That((await List(admin, "/api/v1/dids?status=ALLOCATED")).GetProperty("total").GetInt64(), Is.EqualTo(10));
        Assert.That((await List(admin, "/api/v1/dids?status=UNASSIGNED")).GetProperty("total").GetInt64(), Is.Zero);
        Assert.That((await List(admin, $"/api/v1/dids?tenant_id={theirs.Id}")).GetProperty("total").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task A_change_committed_while_a_fold_runs_is_counted_once()
    {
        var before = (await List(Admin, "/api/v1/dids?page_size=1")).GetProperty("total").GetInt64();
        await using var writer = await Db.OpenConnectionAsync();
        await using var tx = await writer.BeginTransactionAsync();
        await writer.ExecuteAsync("INSERT INTO phone_numbers (id, number, provider) VALUES (gen_random_uuid(), @n, 'late')", new { n = NewNumber() }, tx);

        await Folder.FoldAsync(CancellationToken.None); // the insert's delta is not committed: this fold cannot see it
        Assert.That((await List(Admin, "/api/v1/dids?page_size=1")).GetProperty("total").GetInt64(), Is.EqualTo(before));
        await tx.CommitAsync();
        Assert.That((await List(Admin, "/api/v1/dids?page_size=1")).GetProperty("total").GetInt64(), Is.EqualTo(before + 1));
        await Folder.FoldAsync(CancellationToken.None);

        Assert.That((await List(Admin, "/api/v1/dids?page_size=1")).GetProperty("total").GetInt64(), Is.EqualTo(before + 1));
        Assert.That((await List(Admin, "/api/v1/dids?provider=late")).GetProperty("total").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_assigns_and_unassigns_leave_exact_totals()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id, "1001");
        var seeded = await SeedNumbersAsync(tenant.Id, 40);
        var folding = new CancellationTokenSource();
        var folder = Task.Run(async () =>
        {
            while (!folding.IsCancellationRequested) await Folder.FoldAsync(CancellationToken.None);
        });
        await Task.WhenAll(seeded.Select(async n =>
        {
            for (var round = 0; round < 3; round++)
            {
                await AssignAsync(n.Id, new { assigned_type = "USER", assigned_id = user.Id });
                await Expect(await Admin.DeleteAsync($"/api/v1/dids/{n.Id}/assign"), HttpStatusCode.NoContent);
            }
            await AssignAsync(n.Id, new { assigned_type = "USER", assigned_id = user.Id });
        }));
        await folding.CancelAsync();
        await folder;

        await AssertEveryTotalIsExactAsync([tenant.Id], ["seed"], "after concurrent route changes and folds");
        Assert.That((await List(Admin, $"/api/v1/dids?tenant_id={tenant.Id}&status=ASSIGNED")).GetProperty("total").GetInt64(), Is.EqualTo(40));
    }

    [Test]
    public async Task A_held_numbers_provider_cannot_change_but_an_inventory_numbers_can_and_is_recounted()
    {
        var tenant = await CreateTenantAsync();
        var held = (await SeedNumbersAsync(tenant.Id))[0];
        var free = (await SeedNumbersAsync(null))[0];
        await using var conn = await Db.OpenConnectionAsync();

        var refused = Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("UPDATE phone_numbers SET provider = 'other' WHERE id = @Id", held));
        Assert.That(refused!.ConstraintName, Is.EqualTo("ck_phone_numbers_provider_in_inventory"));
        await conn.ExecuteAsync("UPDATE phone_numbers SET provider = 'ported' WHERE id = @Id", free);

        Assert.That((await List(Admin, "/api/v1/dids?provider=ported")).GetProperty("total").GetInt64(), Is.EqualTo(1));
        await AssertEveryTotalIsExactAsync([tenant.Id], ["seed", "ported"], "after a provider change");
    }

    [Test]
    public async Task A_route_gets_its_numbers_number_and_cannot_hold_another()
    {
        var tenant = await CreateTenantAsync();
        var numbers = await SeedNumbersAsync(tenant.Id, 2);
        await using var conn = await Db.OpenConnectionAsync();
        const string route = """
            WITH route AS (INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value, number)
                           VALUES (gen_random_uuid(), @id, @tenant, 'EXTERNAL', 'Hangup()', @number))
            UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = @id
            """;

        await conn.ExecuteAsync(route, new { id = numbers[0].Id, tenant = tenant.Id, number = (string?)null });
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT number FROM did_assignments WHERE phone_number_id = @Id", numbers[0]),
            Is.EqualTo(numbers[0].Number), "left out: filled in from the number");
        var refused = Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteAsync(route, new { id = numbers[1].Id, tenant = tenant.Id, number = numbers[0].Number }));
        Assert.That(refused!.ConstraintName, Is.EqualTo("fk_did_assignments_number"));
    }

    [Test]
    public async Task Deleting_a_route_and_its_number_in_one_statement_is_refused()
    {
        var tenant = await CreateTenantAsync();
        var number = (await SeedNumbersAsync(tenant.Id))[0];
        await AssignAsync(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" });
        await using var conn = await Db.OpenConnectionAsync();

        Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("""
            WITH route AS (DELETE FROM did_assignments WHERE phone_number_id = @Id) DELETE FROM phone_numbers WHERE id = @Id
            """, number));
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ASSIGNED"));
    }

    [Test]
    public async Task The_migration_counts_what_the_tables_already_hold()
    {
        var tenant = await CreateTenantAsync();
        var seeded = await SeedNumbersAsync(tenant.Id, 5);
        await AssignAsync(seeded[0].Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" });
        await ImportAsync(NewNumbers(7));

        await using (var sp = MigrationRunner())
        {
            var runner = sp.GetRequiredService<FluentMigrator.Runner.IMigrationRunner>();
            runner.MigrateDown(2026120601); // M0009 down: counts and triggers gone
            runner.MigrateUp(); // and up again, counting the rows that are there
        }

        Assert.That(await CountAsync("SELECT count(*) FROM phone_number_count_deltas"), Is.Zero);
        await AssertEveryTotalIsExactAsync([tenant.Id], ["seed", "acme-carrier"], "after the migration");
    }

    private ServiceProvider MigrationRunner() => new ServiceCollection()
        .AddFluentMigratorCore()
        .ConfigureRunner(rb => rb.AddPostgres().WithGlobalConnectionString(App.ConnectionString)
            .ScanIn(typeof(Did.Infrastructure.Data.SchemaMigrator).Assembly).For.Migrations())
        .BuildServiceProvider();

    private async Task<IEnumerable<Guid>> ImportedIdsAsync(IEnumerable<string> numbers)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.QueryAsync<Guid>("SELECT id FROM unnest(@numbers) WITH ORDINALITY AS x(number, i) JOIN phone_numbers USING (number) ORDER BY i",
            new { numbers = numbers.ToArray() });
    }
}
