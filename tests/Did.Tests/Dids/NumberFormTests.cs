using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>Numbers in any written form through the API: stored and answered in E.164 with country and type; refused with
/// libphonenumber's reason and the form given.</summary>
public sealed class NumberFormTests : DidFixture
{
    private async Task<JsonElement> OneAsync(string e164) =>
        (await Expect(await Admin.GetAsync($"/api/v1/dids?number={Uri.EscapeDataString(e164)}"), HttpStatusCode.OK)).GetProperty("items")[0];

    [Test]
    public async Task Json_import_reads_national_forms_with_default_region_and_stores_E164_with_country_and_type()
    {
        var e164 = NewNumber();
        var national = $"({e164[2..5]}) {e164[5..8]}-{e164[8..]} ";
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import?default_region=US",
            new { dids = new[] { new { number = national }, new { number = "+44 20 7946 0000" } } }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(2));

        var us = await OneAsync(e164);
        Assert.That(us.GetProperty("number").GetString(), Is.EqualTo(e164));
        Assert.That(us.GetProperty("country").GetString(), Is.EqualTo("US"));
        Assert.That(us.GetProperty("number_type").GetString(), Is.EqualTo("FIXED_LINE_OR_MOBILE"));
        var gb = await OneAsync("+442079460000");
        Assert.That((gb.GetProperty("country").GetString(), gb.GetProperty("number_type").GetString()), Is.EqualTo(("GB", "FIXED_LINE")));
    }

    [Test]
    public async Task Without_a_region_a_national_form_is_refused_with_its_reason_and_a_hint()
    {
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids = new[] { new { number = "2125550100" } } }),
            HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "dids[0]: Not a valid number (INVALID_COUNTRY_CODE): '2125550100' (a national form needs default_region, or write it as +<country code><number>)",
        }));
    }

    [TestCase("default_region=XX")]
    [TestCase("default_region=USA")]
    [TestCase("on_conflict=maybe")]
    public async Task A_bad_import_parameter_is_a_400_naming_it(string query)
    {
        var name = query[..query.IndexOf('=')];
        var body = await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/import?{query}", new { dids = new[] { new { number = NewNumber() } } }),
            HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty(name, out _), Is.True, body.ToString());
    }

    [Test]
    public async Task Csv_rows_may_carry_their_own_default_region()
    {
        var us = NewNumber();
        var csv = $"number,provider,default_region\n{us[2..]},a,US\n020 7946 0001,a,GB\n030 1234567,a,\n";
        var body = await Expect(await PostCsv(Admin, csv), HttpStatusCode.BadRequest);
        // The third row has no region of its own and the request none: only its line is refused.
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "line 4: Not a valid number (INVALID_COUNTRY_CODE): '030 1234567' (a national form needs default_region, or write it as +<country code><number>)",
        }));
        body = await Expect(await Admin.PostAsync("/api/v1/dids/import?default_region=DE",
            new StringContent(csv, System.Text.Encoding.UTF8, "text/csv")), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(3));
        Assert.That((await OneAsync("+49301234567")).GetProperty("country").GetString(), Is.EqualTo("DE"));
        Assert.That((await OneAsync(us)).GetProperty("country").GetString(), Is.EqualTo("US"));
        Assert.That((await OneAsync("+442079460001")).GetProperty("country").GetString(), Is.EqualTo("GB"));
    }

    [Test]
    public async Task A_csv_row_naming_an_unknown_region_is_refused_on_its_line()
    {
        var body = await Expect(await PostCsv(Admin, $"number,provider,default_region\n{NewNumber()},a,ZZ\n"), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[] { "line 2: default_region 'ZZ' is not a region libphonenumber knows (US, GB, DE...)" }));
    }

    [Test]
    public async Task Bulk_allocate_reads_national_forms_with_default_region()
    {
        var tenant = await CreateTenantAsync();
        var numbers = NewNumbers(2);
        await ImportAsync(numbers);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate",
            new { tenant_id = tenant.Id, default_region = "US", numbers = numbers.Select(n => $"1-{n[2..5]}-{n[5..8]}-{n[8..]}") }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(2));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = ANY(@numbers) AND tenant_id = @t", new { numbers, t = tenant.Id }),
            Is.EqualTo(2));
    }

    [Test]
    public async Task Bulk_allocate_with_an_unknown_region_is_a_400_on_default_region()
    {
        var tenant = await CreateTenantAsync();
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate",
            new { tenant_id = tenant.Id, default_region = "QQ", numbers = new[] { NewNumber() } }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty("default_region", out _), Is.True, body.ToString());
    }

    [Test]
    public async Task The_list_filters_by_country_and_number_type_with_exact_totals()
    {
        var us = NewNumbers(3);
        await ImportAsync(us);
        await ImportAsync("+18885550123", "+442079460002");
        var tenant = await CreateTenantAsync();
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers = new[] { us[0], "+18885550123" } }),
            HttpStatusCode.OK);

        async Task<long> Total(string query) =>
            (await Expect(await Admin.GetAsync("/api/v1/dids?" + query), HttpStatusCode.OK)).GetProperty("total").GetInt64();
        var truth = (string where) => CountAsync("SELECT count(*) FROM phone_numbers WHERE " + where);
        Assert.That(await Total("country=GB"), Is.EqualTo(await truth("country = 'GB'")).And.Positive);
        Assert.That(await Total("country=us"), Is.EqualTo(await truth("country = 'US'")));
        Assert.That(await Total("number_type=TOLL_FREE"), Is.EqualTo(await truth("number_type = 'TOLL_FREE'")).And.EqualTo(1));
        Assert.That(await Total("number_type=FIXED_LINE"), Is.EqualTo(await truth("number_type = 'FIXED_LINE'")));
        Assert.That(await Total($"number_type=TOLL_FREE&tenant_id={tenant.Id}"), Is.EqualTo(1));
        Assert.That(await Total($"country=US&status=ALLOCATED&tenant_id={tenant.Id}"), Is.EqualTo(2));
        Assert.That(await Total("country=GB&status=ALLOCATED"), Is.Zero);
        var page = await Expect(await Admin.GetAsync("/api/v1/dids?number_type=TOLL_FREE"), HttpStatusCode.OK);
        Assert.That(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()), Is.EqualTo(new[] { "+18885550123" }));
    }

    [Test]
    public async Task The_list_and_the_export_find_a_whole_number_in_any_written_form()
    {
        var number = NewNumber();
        await ImportAsync(number);
        var written = Uri.EscapeDataString($"+1 ({number[2..5]}) {number[5..8]}-{number[8..]}");
        var page = await Expect(await Admin.GetAsync($"/api/v1/dids?number={written}"), HttpStatusCode.OK);
        Assert.That(page.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(page.GetProperty("items")[0].GetProperty("number").GetString(), Is.EqualTo(number));
        var csv = await (await Admin.GetAsync($"/api/v1/dids/export?number={written}")).Content.ReadAsStringAsync();
        Assert.That(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { number }));
    }

    [Test]
    public async Task The_migration_classifies_the_numbers_already_stored_and_counts_them()
    {
        var seeded = await SeedNumbersAsync(null, 3);
        var numbers = seeded.Select(n => n.Number).ToArray();
        var unknown = $"+1555{Random.Shared.Next(1_000_000, 9_999_999)}"; // E.164-shaped, in no numbering plan
        await CountAsync("INSERT INTO phone_numbers (id, number) VALUES (gen_random_uuid(), @unknown) RETURNING 1", new { unknown });
        await using (var conn = await Db.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            // As stored before M0022: no country, no type. Then the migration's own pass over the table.
            await conn.ExecuteAsync("UPDATE phone_numbers SET country = NULL, number_type = NULL WHERE number = ANY(@numbers)", new { numbers }, tx);
            Did.Migrations.M0022_NumberCountryAndType.Classify(conn, tx);
            await tx.CommitAsync();
        }

        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = ANY(@numbers) AND country = 'US' AND number_type = 'FIXED_LINE_OR_MOBILE'",
            new { numbers }), Is.EqualTo(3));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = @unknown AND country IS NULL AND number_type IS NULL", new { unknown }),
            Is.EqualTo(1));
        var total = (await Expect(await Admin.GetAsync("/api/v1/dids?country=US&page_size=1"), HttpStatusCode.OK)).GetProperty("total").GetInt64();
        Assert.That(total, Is.EqualTo(await CountAsync("SELECT count(*) FROM phone_numbers WHERE country = 'US'")));
    }

    [TestCase("number=%2B1%20555%20123%209999", "number")]
    [TestCase("country=XX", "country")]
    [TestCase("country=USA", "country")]
    [TestCase("number_type=LANDLINE", "number_type")]
    public async Task A_bad_list_filter_is_a_400(string query, string field)
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/dids?" + query), HttpStatusCode.BadRequest);
        Assert.That(body.ToString(), Does.Contain(field));
    }
}
