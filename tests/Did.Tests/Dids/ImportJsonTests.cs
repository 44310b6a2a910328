using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using NUnit.Framework;

namespace Did.Tests.Dids;

public sealed class ImportJsonTests : DidFixture
{
    [Test]
    public async Task Json_import_stores_every_number_unassigned_and_answers_201()
    {
        var numbers = NewNumbers(3);
        var response = await Admin.PostAsJsonAsync("/api/v1/dids/import", new
        {
            dids = new object[]
            {
                new { number = numbers[0], provider = "twilio", metadata = new { region = "us-east" } },
                new { number = numbers[1], provider = "twilio" },
                new { number = numbers[2] },
            },
        });
        var body = await Expect(response, HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(3));
        Assert.That(body.GetProperty("failed").GetInt64(), Is.Zero);
        Assert.That(body.TryGetProperty("errors", out _), Is.False, "errors belong to the 400 alone");
        Assert.That(body.GetProperty("ignored_columns").GetArrayLength(), Is.Zero, "JSON has no columns to leave out");

        var list = await Expect(await Admin.GetAsync($"/api/v1/dids?number={Uri.EscapeDataString(numbers[0])}"), HttpStatusCode.OK);
        var item = list.GetProperty("items")[0];
        Assert.That(item.GetProperty("number").GetString(), Is.EqualTo(numbers[0]));
        Assert.That(item.GetProperty("status").GetString(), Is.EqualTo("UNASSIGNED"));
        Assert.That(item.GetProperty("tenant_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(item.GetProperty("provider").GetString(), Is.EqualTo("twilio"));
        Assert.That(item.GetProperty("provider_metadata").GetProperty("region").GetString(), Is.EqualTo("us-east"));
        Assert.That(item.GetProperty("assignment").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(item.TryGetProperty("created_at", out _) && item.TryGetProperty("updated_at", out _), Is.True);
    }

    [Test]
    public async Task Json_import_with_bad_items_stores_nothing_and_lists_every_problem_by_index()
    {
        var existing = NewNumber();
        await ImportAsync(existing);
        var good = NewNumbers(2);
        var json = JsonSerializer.Serialize(new
        {
            dids = new object[]
            {
                new { number = good[0] },
                new { number = "+1555INVALID" },
                new { number = good[1] },
                new { number = good[0] },
                new { number = existing },
                new { number = NewNumber(), metadata = new[] { 1 } },
            },
        });
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/dids/import", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.Zero);
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(4));
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "dids[1]: Not a valid number (NOT_A_NUMBER): '+1555INVALID'",
            $"dids[3]: Duplicate number: {good[0]} (also at dids[0])",
            $"dids[4]: Number already in inventory: {existing}",
            "dids[5]: metadata must be a JSON object (you sent '[1]')",
        }));
        Assert.That(body.GetProperty("status").GetInt32(), Is.EqualTo(400));
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("dids[1]"));
        Assert.That(await StoredAsync(good), Is.Zero);
    }

    /// <summary>libphonenumber reads the number out of what surrounds it; the inventory stores only what the client wrote.</summary>
    [Test]
    public async Task A_number_written_with_characters_a_number_does_not_hold_is_refused_not_trimmed()
    {
        var n = NewNumber();
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids = new[] { new { number = "!!" + n + " ~" } } }),
            HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[] { $"dids[0]: Not a valid number (NOT_A_NUMBER): '!!{n} ~'" }));
        Assert.That(await StoredAsync([n]), Is.Zero);
    }

    /// <summary>An export writes each number on one CSV row, and the import reads rows of at most 64 KiB: metadata larger
    /// than its limit as stored would make an export that does not import back.</summary>
    [Test]
    public async Task Metadata_larger_than_an_exported_row_allows_is_a_400_naming_the_item()
    {
        var numbers = NewNumbers(2);
        var json = JsonSerializer.Serialize(new
        {
            dids = new object[]
            {
                new { number = numbers[0], metadata = new { note = new string('q', 100) } },
                new { number = numbers[1], metadata = new { note = new string('q', 70_000) } },
            },
        });
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/dids/import", json), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[] { "dids[1]: metadata is larger than 16,384 bytes of JSON as stored (numbers written out in full)" }));
        Assert.That(await StoredAsync(numbers), Is.Zero);
    }

    [Test]
    public async Task A_json_item_is_refused_with_every_problem_it_has_and_counted_once()
    {
        var json = JsonSerializer.Serialize(new { dids = new object[] { new { number = "+1555BAD", provider = "a\u0001", metadata = 7 } } });
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/dids/import", json), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "dids[0]: Not a valid number (NOT_A_NUMBER): '+1555BAD'",
            "dids[0]: provider must not contain control characters: U+0001 at position 2 (you sent 'a?')",
            "dids[0]: metadata must be a JSON object (you sent '7')",
        }));
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task Json_import_of_more_than_10000_items_is_a_400()
    {
        var dids = Enumerable.Range(0, 10_001).Select(i => new { number = $"+1999{i:D7}" });
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("dids")[0].GetString(), Does.Contain("10,000"));
    }

    [Test]
    public async Task Json_import_of_exactly_10000_items_succeeds()
    {
        var dids = Enumerable.Range(0, 10_000).Select(i => new { number = $"+1888555{i:D4}", provider = "bulk" });
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(10_000));
    }

    [Test]
    public async Task Json_import_of_an_empty_list_is_a_400() =>
        await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/dids/import", "{\"dids\":[]}"), HttpStatusCode.BadRequest);

    [TestCase("{\"dids\":[{\"provider\":\"x\"}]}", "number")]
    [TestCase("{\"dids\":[null]}", "null")]
    [TestCase("{\"dids\":", "not valid JSON")]
    [TestCase("null", "JSON object")]
    public async Task Malformed_json_import_is_a_400_problem(string json, string detail)
    {
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/dids/import", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(detail));
    }

    /// <summary>The import's options are its query parameters; an "options" object in the body is an unknown property
    /// (400 naming it, nothing stored), not dropped so that a body asking to validate only imports for real.</summary>
    [Test]
    public async Task Options_in_the_body_are_a_400_naming_them_and_store_nothing()
    {
        var number = NewNumber();
        var json = JsonSerializer.Serialize(new { dids = new[] { new { number } }, options = new { validate_only = true } });
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/dids/import", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'options'"));
        Assert.That(await StoredAsync([number]), Is.Zero);
    }

    [Test]
    public async Task Json_body_over_the_json_limit_is_a_413_problem()
    {
        var json = "{\"dids\":[{\"number\":\"+15550000001\",\"provider\":\"" + new string('p', 17 * 1024 * 1024) + "\"}]}";
        await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/dids/import", json), HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Import_with_another_content_type_is_a_415_problem() =>
        await Expect(await Admin.PostAsync("/api/v1/dids/import", new StringContent("x", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType);

    [Test]
    public async Task Import_writes_one_audit_row_with_the_count_and_providers()
    {
        var numbers = NewNumbers(3);
        var dids = numbers.Select((n, i) => new { number = n, provider = i == 0 ? "alpha" : "beta" });
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/dids/import") { Content = JsonContent.Create(new { dids }) };
        request.Headers.UserAgent.ParseAdd("import-audit/1.0");
        await Expect(await Admin.SendAsync(request), HttpStatusCode.Created);

        await using var conn = await Db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<(string Action, string Entity, Guid? EntityId, string After)>(
            "SELECT action, entity_type, entity_id, after::text FROM audit_logs WHERE user_agent = 'import-audit/1.0'")).ToList();
        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That((rows[0].Action, rows[0].Entity, rows[0].EntityId), Is.EqualTo(("IMPORT", "PHONE_NUMBER", (Guid?)null)));
        var after = JsonDocument.Parse(rows[0].After).RootElement;
        Assert.That(after.GetProperty("count").GetInt64(), Is.EqualTo(3));
        Assert.That(after.GetProperty("providers").GetProperty("alpha").GetInt64(), Is.EqualTo(1));
        Assert.That(after.GetProperty("providers").GetProperty("beta").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task A_refused_import_writes_no_audit_row()
    {
        var before = await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'IMPORT'");
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids = new[] { new { number = "bad" } } }), HttpStatusCode.BadRequest);
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'IMPORT'"), Is.EqualTo(before));
    }

    [TestCase("SUPPORT")]
    [TestCase("TENANT_ADMIN")]
    [TestCase("USER")]
    public async Task Only_a_platform_admin_may_import(string role)
    {
        var tenant = role == "SUPPORT" ? null : (Guid?)(await CreateTenantAsync()).Id;
        var user = await CreateUserAsync(role, tenant);
        var number = NewNumber();
        await Expect(await user.Client.PostAsJsonAsync("/api/v1/dids/import", new { dids = new[] { new { number } } }), HttpStatusCode.Forbidden);
        Assert.That(await StoredAsync([number]), Is.Zero);
    }

    [Test]
    public async Task Import_without_a_token_is_a_401() =>
        await Expect(await Anonymous.PostAsJsonAsync("/api/v1/dids/import", new { dids = new[] { new { number = NewNumber() } } }), HttpStatusCode.Unauthorized);
}
