using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Every list pages the same way: next_cursor from the first page to the last visits every item once, in the
/// list's order; page reaches pages starting at an offset of up to 10,000 items; a cursor is refused with another list, other filters, or page.</summary>
public sealed class PagingTests : ApiFixture
{
    private static string? Next(JsonElement page) => page.GetProperty("next_cursor").GetString();

    private async Task<JsonElement> Get(string url) => await Expect(await Admin.GetAsync(url), HttpStatusCode.OK);

    /// <summary>The ids of every page, following next_cursor, and the total each page answered.</summary>
    private async Task<(List<Guid> Ids, HashSet<long> Totals)> WalkAsync(string url, int pageSize = 2)
    {
        var sep = url.Contains('?') ? '&' : '?';
        var ids = new List<Guid>();
        var totals = new HashSet<long>();
        var page = await Get($"{url}{sep}page_size={pageSize}");
        while (true)
        {
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            totals.Add(page.GetProperty("total").GetInt64());
            if (Next(page) is not { } cursor) break;
            page = await Get($"{url}{sep}page_size={pageSize}&cursor={cursor}");
            Assert.That(page.GetProperty("page").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
        return (ids, totals);
    }

    private async Task<List<Guid>> IdsAsync(string sql, object? args = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return (await conn.QueryAsync<Guid>(sql, args)).AsList();
    }

    [Test]
    public async Task Tenants_are_walked_by_name_then_id()
    {
        foreach (var name in new[] { "beta", "Alpha", "alpha two", "Beta two" })
            await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = $"{name} {Unique("")}", slug = Unique("same") }), HttpStatusCode.Created);
        await CreateTenantAsync();

        var (ids, totals) = await WalkAsync("/api/v1/tenants");
        var truth = await IdsAsync("SELECT id FROM tenants ORDER BY name, id");
        Assert.That(ids, Is.EqualTo(truth));
        Assert.That(totals, Is.EqualTo(new[] { (long)truth.Count }));
    }

    [Test]
    public async Task A_tenants_users_are_walked_by_email_whatever_its_case()
    {
        var tenant = await CreateTenantAsync();
        foreach (var email in new[] { "Bob", "alice", "Carol", "dave", "ALAN" })
            await Expect(await Admin.PostAsJsonAsync("/api/v1/users", new
            {
                email = $"{email}-{Unique("x")}@example.com", password = "correct-horse-battery", display_name = email, role = "USER", tenant_id = tenant.Id,
            }), HttpStatusCode.Created);

        var (ids, totals) = await WalkAsync($"/api/v1/users?tenant_id={tenant.Id}");
        Assert.That(ids, Is.EqualTo(await IdsAsync("SELECT id FROM users WHERE tenant_id = @t ORDER BY lower(email)", new { t = tenant.Id })));
        Assert.That(totals, Is.EqualTo(new[] { 5L }));
    }

    [Test]
    public async Task Ivrs_of_several_tenants_are_walked_by_tenant_then_name()
    {
        var tenants = new[] { await CreateTenantAsync(), await CreateTenantAsync() };
        foreach (var tenant in tenants)
        foreach (var name in new[] { "night", "day", "main" })
            await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs", new { tenant_id = tenant.Id, name, greeting = "hello", timeout_seconds = 5 }),
                HttpStatusCode.Created);

        var (ids, _) = await WalkAsync("/api/v1/ivrs");
        Assert.That(ids, Is.EqualTo(await IdsAsync("SELECT id FROM ivrs ORDER BY tenant_id, name")));
        var (one, totals) = await WalkAsync($"/api/v1/ivrs?tenant_id={tenants[1].Id}", 1);
        Assert.That(one, Is.EqualTo(await IdsAsync("SELECT id FROM ivrs WHERE tenant_id = @t ORDER BY name", new { t = tenants[1].Id })));
        Assert.That(totals, Is.EqualTo(new[] { 3L }));
    }

    [Test]
    public async Task An_empty_list_has_no_next_cursor()
    {
        var tenant = await CreateTenantAsync();
        var queues = await Get($"/api/v1/queues?tenant_id={tenant.Id}");
        Assert.That(queues.GetProperty("items").GetArrayLength(), Is.Zero);
        Assert.That(queues.GetProperty("total").GetInt64(), Is.Zero);
        Assert.That(queues.GetProperty("next_cursor").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Apply_jobs_started_at_the_same_moment_are_walked_newest_first_then_by_id()
    {
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO apply_jobs (id, status, started_at, finished_at)
                SELECT gen_random_uuid(), 'SUCCEEDED', t, t FROM unnest(ARRAY[
                    '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z', '2025-12-31T10:00:00Z'
                ]::timestamptz[]) AS t
                """);

        var (ids, totals) = await WalkAsync("/api/v1/apply/jobs");
        var truth = await IdsAsync("SELECT id FROM apply_jobs ORDER BY started_at DESC, id DESC");
        Assert.That(ids, Is.EqualTo(truth));
        Assert.That(totals, Is.EqualTo(new[] { (long)truth.Count }));
    }

    [Test]
    public async Task The_audit_log_is_walked_newest_first_and_counted_up_to_ten_thousand()
    {
        var actor = Guid.NewGuid();
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id)
                SELECT gen_random_uuid(), '2026-01-01T00:00:00Z'::timestamptz + (i / 3) * interval '1 microsecond', @actor, 'CREATE', 'TENANT', gen_random_uuid()
                FROM generate_series(1, 10001) i
                """, new { actor });

        var bounded = await Get($"/api/v1/audit-logs?actor_id={actor}&page_size=1");
        Assert.That(bounded.GetProperty("total").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(bounded.GetProperty("total_at_least").GetInt64(), Is.EqualTo(10_001));

        const string from = "2026-01-01T00:00:00.003331Z"; // the last 9 rows, three at each of three times
        var page = await Get($"/api/v1/audit-logs?actor_id={actor}&from={from}&page_size=2");
        var ids = new List<Guid>();
        while (true)
        {
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            Assert.That(page.GetProperty("total").GetInt64(), Is.EqualTo(9));
            if (Next(page) is not { } cursor) break;
            page = await Get($"/api/v1/audit-logs?actor_id={actor}&from={from}&page_size=2&cursor={cursor}");
        }
        Assert.That(ids, Is.EqualTo(await IdsAsync(
            "SELECT id FROM audit_logs WHERE actor_id = @actor AND at >= @from::timestamptz ORDER BY at DESC, id DESC", new { actor, from })));
    }

    [TestCase("/api/v1/tenants")]
    [TestCase("/api/v1/users")]
    [TestCase("/api/v1/ivrs")]
    [TestCase("/api/v1/queues")]
    [TestCase("/api/v1/schedules")]
    [TestCase("/api/v1/audit-logs")]
    [TestCase("/api/v1/apply/jobs")]
    [TestCase("/api/v1/dids")]
    public async Task Every_list_refuses_a_deep_page_a_page_with_a_cursor_and_a_foreign_cursor(string list)
    {
        await CreateTenantAsync();
        await CreateTenantAsync();
        var foreign = Next(await Get("/api/v1/tenants?page_size=1"))!;
        var ownList = list == "/api/v1/tenants" ? "/api/v1/users" : list; // a cursor of the tenant list is foreign to every other list

        var deep = await Expect(await Admin.GetAsync($"{list}?page=51&page_size=201"), HttpStatusCode.BadRequest);
        Assert.That(deep.GetProperty("errors").TryGetProperty("page_size", out _), Is.True);
        var tooDeep = await Expect(await Admin.GetAsync($"{list}?page=102&page_size=100"), HttpStatusCode.BadRequest);
        Assert.That(tooDeep.GetProperty("errors").GetProperty("page")[0].GetString(), Does.Contain("next_cursor"));
        var both = await Expect(await Admin.GetAsync($"{list}?page=1&cursor={foreign}"), HttpStatusCode.BadRequest);
        Assert.That(both.GetProperty("errors").GetProperty("cursor")[0].GetString(), Does.Contain("cannot be combined"));
        var wrong = await Expect(await Admin.GetAsync($"{ownList}?cursor={foreign}"), HttpStatusCode.BadRequest);
        Assert.That(wrong.GetProperty("errors").TryGetProperty("cursor", out _), Is.True);
        await Get($"{list}?page=101&page_size=100"); // starts at item 10,001: the deepest page allowed
    }

    [Test]
    public async Task The_document_says_what_total_total_at_least_and_next_cursor_mean_and_declares_cursor_on_every_list()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        foreach (var envelope in new[] { "PagedOfTenantResponse", "BoundedPagedOfDidResponse" })
        {
            var properties = schemas.GetProperty(envelope).GetProperty("properties");
            foreach (var field in new[] { "total", "next_cursor", "page" })
                Assert.That(properties.GetProperty(field).TryGetProperty("description", out _), Is.True, $"{envelope}.{field}");
        }
        var dids = schemas.GetProperty("BoundedPagedOfDidResponse").GetProperty("properties");
        Assert.That(dids.GetProperty("total_at_least").GetProperty("description").GetString(), Does.Contain("at least"));

        var lists = new[] { "ListTenants", "ListUsers", "ListIvrs", "ListQueues", "ListAuditLogs", "ListApplyJobs", "ListDids" };
        var operations = doc.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Select(m => m.Value).Where(o => lists.Contains(o.GetProperty("operationId").GetString())).ToList();
        Assert.That(operations, Has.Count.EqualTo(lists.Length));
        foreach (var op in operations)
        {
            var names = op.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.That(names, Is.SupersetOf(new[] { "cursor", "page", "page_size" }), op.GetProperty("operationId").GetString());
        }
    }
}
