using System.Net;
using System.Net.Http.Json;
using System.Text;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>The CSV export: the list's filters and access rules, and a file that imports back unchanged.</summary>
public sealed class ExportTests : DidFixture
{
    private static async Task<string[]> Lines(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Test]
    public async Task Export_writes_every_matching_number_with_its_state_and_route_in_number_order()
    {
        var tenant = await CreateTenantAsync();
        var numbers = NewNumbers(3).Order().ToArray();
        var ids = await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = numbers[..2] }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{ids[numbers[0]]}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
            HttpStatusCode.Created);

        var lines = await Lines(await Admin.GetAsync($"/api/v1/dids/export?tenant_id={tenant.Id}"));
        Assert.That(lines, Is.EqualTo(new[]
        {
            "number,status,tenant_id,tenant_slug,provider,country,type,assigned_type,destination,metadata",
            $"{numbers[0]},ASSIGNED,{tenant.Id},{tenant.Slug},acme-carrier,US,FIXED_LINE_OR_MOBILE,EXTERNAL,EXTERNAL Hangup(),{{}}",
            $"{numbers[1]},ALLOCATED,{tenant.Id},{tenant.Slug},acme-carrier,US,FIXED_LINE_OR_MOBILE,,,{{}}",
        }));
        var routed = await Lines(await Admin.GetAsync("/api/v1/dids/export?assigned_type=EXTERNAL"));
        Assert.That(routed.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { numbers[0] }));
    }

    [Test]
    public async Task A_tenant_admin_exports_only_its_own_numbers_whatever_tenant_it_names()
    {
        var own = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", own.Id);
        var mine = NewNumber();
        var theirs = NewNumber();
        await ImportAsync(mine, theirs);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = own.Id, numbers = new[] { mine } }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = other.Id, numbers = new[] { theirs } }), HttpStatusCode.OK);

        var lines = await Lines(await admin.Client.GetAsync("/api/v1/dids/export"));
        Assert.That(lines.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { mine }));
        Assert.That(await Lines(await admin.Client.GetAsync($"/api/v1/dids/export?tenant_id={other.Id}")), Has.Length.EqualTo(1)); // the header only
    }

    [Test]
    public async Task The_export_imports_back_unchanged()
    {
        var numbers = NewNumbers(4);
        var csv = "number,provider,metadata,rate_center\n" + string.Join("\n", numbers.Select((n, i) =>
            $"{n},{(i % 2 == 0 ? "bandwidth" : "")},\"{{\"\"tier\"\": {i}, \"\"note\"\": \"\"a, \\\"\"b\\\"\"\"\"}}\",RC{i}")) + "\n";
        await Expect(await PostCsv(Admin, csv), HttpStatusCode.Created);
        var exported = await ExportOfAsync(numbers);
        Assert.That(exported.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(5));

        foreach (var id in await ExistingIdsAsync(numbers)) await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.NoContent);
        Assert.That(await StoredAsync(numbers), Is.Zero);

        var body = await Expect(await PostCsv(Admin, exported), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(4));
        Assert.That(body.GetProperty("ignored_columns").EnumerateArray().Select(c => c.GetString()),
            Is.EqualTo(new[] { "status", "tenant_id", "tenant_slug", "country", "type", "assigned_type", "destination" }),
            "the export's state columns, in the header's order");
        Assert.That(await ExportOfAsync(numbers), Is.EqualTo(exported));
    }

    [Test]
    public async Task A_provider_a_spreadsheet_would_run_as_a_formula_is_exported_as_text_and_imports_back_unchanged()
    {
        string[] providers = ["=HYPERLINK(\"http://x.test\",\"y\")", "@SUM(1+1)", "-2+3", "+cmd", "'=quoted", "''@twice", "plain-carrier"];
        string[] cells = ["\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\"", "'@SUM(1+1)", "'-2+3", "'+cmd", "''=quoted", "'''@twice", "plain-carrier"];
        var numbers = NewNumbers(providers.Length).Order().ToArray();
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import",
            new { dids = numbers.Select((n, i) => new { number = n, provider = providers[i] }) }), HttpStatusCode.Created);

        var exported = await ExportOfAsync(numbers);
        Assert.That(exported.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1),
            Is.EqualTo(numbers.Select((n, i) => $"{n},UNASSIGNED,,,{cells[i]},US,FIXED_LINE_OR_MOBILE,,,{{}}")));

        foreach (var id in await ExistingIdsAsync(numbers)) await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.NoContent);
        await Expect(await PostCsv(Admin, exported), HttpStatusCode.Created);
        Assert.That(await ExportOfAsync(numbers), Is.EqualTo(exported));
        await using var conn = await Db.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT provider FROM phone_numbers WHERE number = ANY(@n) ORDER BY number", conn);
        cmd.Parameters.AddWithValue("n", numbers);
        var stored = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) stored.Add(reader.GetString(0));
        Assert.That(stored, Is.EqualTo(providers));
    }

    /// <summary>Metadata of the largest size an import takes, all quotes (each one escaped in the JSON, then doubled by
    /// the CSV): its exported row still fits the rows an import reads.</summary>
    [Test]
    public async Task Metadata_of_the_largest_size_exports_and_imports_back_unchanged()
    {
        var numbers = NewNumbers(1);
        var quotes = new string('"', 8_187); // {"q": "\"\"..."}: 9 + 2 x 8,187 = 16,383 bytes as stored
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import",
            new { dids = new[] { new { number = numbers[0], metadata = new { q = quotes } } } }), HttpStatusCode.Created);
        var exported = await ExportOfAsync(numbers);

        foreach (var id in await ExistingIdsAsync(numbers)) await Expect(await Admin.DeleteAsync($"/api/v1/dids/{id}"), HttpStatusCode.NoContent);
        await Expect(await PostCsv(Admin, exported), HttpStatusCode.Created);
        Assert.That(await ExportOfAsync(numbers), Is.EqualTo(exported));
    }

    [Test]
    public async Task The_database_refuses_metadata_larger_than_an_export_row_allows()
    {
        await using var conn = await Db.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "INSERT INTO phone_numbers (id, number, country, number_type, provider_metadata) VALUES (gen_random_uuid(), @n, 'US', 'FIXED_LINE_OR_MOBILE', jsonb_build_object('q', repeat('x', 20000)))", conn);
        cmd.Parameters.AddWithValue("n", NewNumber());
        var e = Assert.ThrowsAsync<Npgsql.PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.That(e!.ConstraintName, Is.EqualTo("ck_phone_numbers_metadata_size"));
    }

    /// <summary>The export's header and the lines of <paramref name="numbers"/> (other tests of the fixture add others).</summary>
    private async Task<string> ExportOfAsync(string[] numbers)
    {
        var text = await (await Admin.GetAsync("/api/v1/dids/export?status=UNASSIGNED")).Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Where(l => numbers.Contains(l.Split(',')[0])))) + "\n";
    }

    private async Task<Guid[]> ExistingIdsAsync(string[] numbers)
    {
        await using var conn = await Db.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT id FROM phone_numbers WHERE number = ANY(@n)", conn);
        cmd.Parameters.AddWithValue("n", numbers);
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids.ToArray();
    }

    [TestCase("country=XX")]
    [TestCase("number=abc")]
    [TestCase("page=2")]
    [TestCase("status=GONE")]
    public async Task A_bad_export_filter_is_a_400_problem(string query) =>
        await Expect(await Admin.GetAsync("/api/v1/dids/export?" + query), HttpStatusCode.BadRequest);

    [Test]
    public async Task Export_without_a_token_is_a_401() =>
        Assert.That((await Anonymous.GetAsync("/api/v1/dids/export")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
}
