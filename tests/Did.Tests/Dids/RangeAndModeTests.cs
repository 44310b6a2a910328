using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>Blocks of numbers as ranges, and the import's modes: skip what is already stored, or only validate.</summary>
public sealed class RangeAndModeTests : DidFixture
{
    private static int _block = Random.Shared.Next(0, 700);

    /// <summary>A fresh block of 1,000 valid numbers: +1 646 NXX 0000 to 9999 is split into ten such blocks per exchange.</summary>
    private static (string From, string To, string Prefix) NewBlock(int size)
    {
        var b = Interlocked.Increment(ref _block);
        var prefix = $"+1646{200 + b % 800}{b / 800 % 10}";
        return (prefix + "000", prefix + (size - 1).ToString("D3"), prefix);
    }

    [Test]
    public async Task A_range_import_stores_every_number_of_the_block_with_one_provider()
    {
        var (from, to, prefix) = NewBlock(1000);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import",
            new { range = new { from, to }, provider = "bandwidth", metadata = new { block = "b1" } }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(1000));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number LIKE @p AND provider = 'bandwidth' AND provider_metadata->>'block' = 'b1'",
            new { p = prefix + "%" }), Is.EqualTo(1000));
    }

    [Test]
    public async Task A_range_in_national_form_reads_with_default_region()
    {
        var (from, to, prefix) = NewBlock(10);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import?default_region=US",
            new { range = new { from = from[2..], to = $"({to[2..5]}) {to[5..8]}-{to[8..]}" } }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(10));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number LIKE @p", new { p = prefix + "%" }), Is.EqualTo(10));
    }

    [Test]
    public async Task Range_allocate_and_deallocate_move_the_whole_block_and_link_each_number_to_the_audit_row()
    {
        var tenant = await CreateTenantAsync();
        var (from, to, prefix) = NewBlock(1000);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { range = new { from, to } }), HttpStatusCode.Created);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, range = new { from, to } }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(1000));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number LIKE @p AND tenant_id = @t", new { p = prefix + "%", t = tenant.Id }),
            Is.EqualTo(1000));
        Assert.That(await CountAsync("""
            SELECT count(*) FROM audit_log_numbers l JOIN audit_logs a ON a.id = l.audit_log_id JOIN phone_numbers p ON p.id = l.phone_number_id
            WHERE a.action = 'ALLOCATE' AND p.number LIKE @p AND l.tenant_id = @t
            """, new { p = prefix + "%", t = tenant.Id }), Is.EqualTo(1000));

        body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { range = new { from, to } }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("updated").GetInt64(), Is.EqualTo(1000));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE number LIKE @p AND status = 'QUARANTINED'", new { p = prefix + "%" }),
            Is.EqualTo(1000));
    }

    [Test]
    public async Task A_range_allocate_with_conflicts_changes_nothing_and_lists_them()
    {
        var holder = await CreateTenantAsync();
        var tenant = await CreateTenantAsync();
        var (from, to, prefix) = NewBlock(20);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { range = new { from, to = prefix + "017" } }), HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = holder.Id, numbers = new[] { prefix + "005" } }), HttpStatusCode.OK);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, range = new { from, to } }),
            HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            $"range[5]: DID {prefix}005 is already allocated to tenant '{holder.Name}'",
            $"range[18]: Unknown number: {prefix}018",
            $"range[19]: Unknown number: {prefix}019",
        }));
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers WHERE tenant_id = @t", new { t = tenant.Id }), Is.Zero);
    }

    private static IEnumerable<TestCaseData> BadRanges()
    {
        yield return new TestCaseData("+4930123456", "+49301234567", "same length").SetName("Ends_of_different_lengths_are_a_400");
        yield return new TestCaseData("+16462000999", "+16462000000", "reversed").SetName("A_reversed_range_is_a_400");
        yield return new TestCaseData("+16462000000", "+16462100000", "at most 100,000").SetName("A_range_of_more_than_100000_is_a_400");
        yield return new TestCaseData("+12125550100", "+14165550100", "same country").SetName("Ends_in_different_countries_are_a_400");
        yield return new TestCaseData("+15551230000", "+15551230999", "INVALID_FOR_REGION").SetName("An_end_no_plan_has_is_a_400_with_its_reason");
        yield return new TestCaseData("2125550100", "2125550199", "INVALID_COUNTRY_CODE").SetName("A_national_range_without_a_region_is_a_400");
        yield return new TestCaseData("+16462000000", "+16462000999 *", "NOT_A_NUMBER").SetName("An_end_with_stray_characters_is_a_400");
    }

    [TestCaseSource(nameof(BadRanges))]
    public async Task A_bad_range_is_a_400_and_changes_nothing(string from, string to, string detail)
    {
        var tenant = await CreateTenantAsync();
        var before = await CountAsync("SELECT count(*) FROM phone_numbers");
        foreach (var (url, body) in new (string, object)[]
                 {
                     ("/api/v1/dids/import", new { range = new { from, to } }),
                     ("/api/v1/dids/allocate", new { tenant_id = tenant.Id, range = new { from, to } }),
                     ("/api/v1/dids/deallocate", new { range = new { from, to } }),
                 })
        {
            var problem = await Expect(await Admin.PostAsJsonAsync(url, body), HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(detail), url);
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Has.Some.StartsWith("range"), url);
        }
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers"), Is.EqualTo(before));
    }

    [Test]
    public async Task Numbers_and_range_together_are_a_400()
    {
        var (from, to, _) = NewBlock(2);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = new[] { from }, range = new { from, to } }), HttpStatusCode.BadRequest);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids = new[] { new { number = from } }, range = new { from, to } }),
            HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task On_conflict_skip_imports_the_rest_and_lists_what_was_already_stored()
    {
        var existing = NewNumbers(2);
        await ImportAsync(existing);
        var fresh = NewNumbers(3);
        var csv = "number,provider\n" + string.Join("\n", new[] { fresh[0], existing[0], fresh[1], existing[1], fresh[2] }.Select(n => n + ",x")) + "\n";
        var body = await Expect(await Admin.PostAsync("/api/v1/dids/import?on_conflict=skip",
            new StringContent(csv, System.Text.Encoding.UTF8, "text/csv")), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(3));
        Assert.That(body.GetProperty("skipped").GetInt64(), Is.EqualTo(2));
        Assert.That(body.GetProperty("skipped_numbers").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { $"line 3: {existing[0]}", $"line 5: {existing[1]}" }));
        Assert.That(await StoredAsync(fresh), Is.EqualTo(3));
    }

    [TestCase("/api/v1/dids/import", "SKIP")]
    [TestCase("/api/v1/dids/import", "Skip")]
    [TestCase("/api/v1/dids/import", "skip%20")]
    [TestCase("/api/v1/dids/import", "Error")]
    [TestCase("/api/v1/dids/import/validate", "SKIP")]
    public async Task On_conflict_is_read_only_as_documented_in_lowercase(string path, string sent)
    {
        var number = NewNumber();
        var messages = await Problems.FieldErrorsAsync(
            await Admin.PostAsJsonAsync($"{path}?on_conflict={sent}", new { dids = new[] { new { number } } }), "on_conflict");
        Assert.That(messages, Is.EqualTo(new[]
        {
            $"'on_conflict' must be error or skip, written exactly so in lowercase (you sent '{Uri.UnescapeDataString(sent)}').",
        }));
        Assert.That(await StoredAsync([number]), Is.Zero);
    }

    [Test]
    public async Task On_conflict_skip_audits_the_providers_of_only_the_numbers_it_imported()
    {
        var existing = NewNumbers(2);
        await ImportAsync(existing);
        var fresh = NewNumbers(3);
        var agent = $"skip-audit/{Unique("a")}";
        var csv = "number,provider\n" + string.Join("\n",
            $"{fresh[0]},alpha", $"{existing[0]},gamma", $"{fresh[1]},beta", $"{existing[1]},alpha", $"{fresh[2]},") + "\n";
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/dids/import?on_conflict=skip")
        {
            Content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"),
        };
        request.Headers.UserAgent.ParseAdd(agent);
        await Expect(await Admin.SendAsync(request), HttpStatusCode.Created);

        await using var conn = await Db.OpenConnectionAsync();
        var after = System.Text.Json.JsonDocument.Parse(await Dapper.SqlMapper.QuerySingleAsync<string>(conn,
            "SELECT after::text FROM audit_logs WHERE action = 'IMPORT' AND user_agent = @agent", new { agent })).RootElement;
        Assert.That(after.GetProperty("count").GetInt64(), Is.EqualTo(3));
        Assert.That(after.GetProperty("skipped").GetInt64(), Is.EqualTo(2));
        Assert.That(after.GetProperty("providers").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())),
            Is.EquivalentTo(new[] { ("alpha", 1L), ("beta", 1L), ("", 1L) }), "the skipped gamma and second alpha are not counted");
    }

    [Test]
    public async Task On_conflict_skip_still_refuses_duplicates_within_the_import()
    {
        var existing = NewNumber();
        await ImportAsync(existing);
        var n = NewNumbers(2);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import?on_conflict=skip",
            new { dids = new[] { new { number = n[0] }, new { number = existing }, new { number = n[0] }, new { number = n[1] } } }), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[] { $"dids[2]: Duplicate number: {n[0]} (also at dids[0])" }));
        Assert.That(await StoredAsync(n), Is.Zero);
    }

    [Test]
    public async Task On_conflict_skip_does_not_count_a_stored_number_as_a_problem_beside_a_refused_row()
    {
        var stored = NewNumber();
        await ImportAsync(stored);
        var fresh = NewNumber();
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import?on_conflict=skip",
            new { dids = new[] { new { number = stored }, new { number = fresh }, new { number = "bad" } } }), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[] { "dids[2]: Not a valid number (NOT_A_NUMBER): 'bad'" }), body.ToString());
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(1), body.ToString());
        Assert.That(await StoredAsync([fresh]), Is.Zero);
    }

    [Test]
    public async Task Validating_an_import_answers_its_report_and_stores_nothing()
    {
        var existing = NewNumber();
        await ImportAsync(existing);
        var fresh = NewNumbers(2);
        var audits = await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'IMPORT'");
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import/validate?on_conflict=skip",
            new { dids = new[] { new { number = fresh[0] }, new { number = existing }, new { number = fresh[1] } } }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(2));
        Assert.That(body.GetProperty("skipped").GetInt64(), Is.EqualTo(1));
        Assert.That(body.GetProperty("validate_only").GetBoolean(), Is.True);
        Assert.That(await StoredAsync(fresh), Is.Zero);
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'IMPORT'"), Is.EqualTo(audits));

        body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import/validate",
            new { dids = new[] { new { number = fresh[0] }, new { number = existing } } }), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[] { $"dids[1]: Number already in inventory: {existing}" }));
        Assert.That(await StoredAsync(fresh), Is.Zero);
    }

    [Test]
    public async Task Validate_only_on_the_import_itself_is_a_400_pointing_to_the_validation()
    {
        var number = NewNumber();
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import?validate_only=true", new { dids = new[] { new { number } } }),
            HttpStatusCode.BadRequest);
        Assert.That(body.ToString(), Does.Contain("/api/v1/dids/import/validate"));
        Assert.That(await StoredAsync([number]), Is.Zero);
    }
}
