using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Dids;

public sealed class ImportCsvTests : DidFixture
{
    [Test]
    public async Task Csv_import_stores_rows_with_metadata_cells_and_extra_columns_as_metadata_keys()
    {
        var n = NewNumbers(2);
        var csv = $"number,provider,metadata,rate_center\r\n{n[0]},bandwidth,\"{{\"\"tier\"\":2}}\",NYC\r\n{n[1]},,,\r\n";
        var body = await Expect(await PostCsv(Admin, csv), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(2));
        Assert.That(body.GetProperty("ignored_columns").GetArrayLength(), Is.Zero);

        var first = (await Expect(await Admin.GetAsync($"/api/v1/dids?number={Uri.EscapeDataString(n[0])}"), HttpStatusCode.OK)).GetProperty("items")[0];
        Assert.That(first.GetProperty("provider").GetString(), Is.EqualTo("bandwidth"));
        Assert.That(first.GetProperty("provider_metadata").GetProperty("tier").GetInt32(), Is.EqualTo(2));
        Assert.That(first.GetProperty("provider_metadata").GetProperty("rate_center").GetString(), Is.EqualTo("NYC"));
        var second = (await Expect(await Admin.GetAsync($"/api/v1/dids?number={Uri.EscapeDataString(n[1])}"), HttpStatusCode.OK)).GetProperty("items")[0];
        Assert.That(second.GetProperty("provider").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(second.GetProperty("provider_metadata").EnumerateObject().Count(), Is.Zero);
    }

    /// <summary>A column named like an export's state column is read as the export's and not stored: the answer says so.</summary>
    [Test]
    public async Task Csv_import_names_the_columns_it_read_as_the_exports_own_and_did_not_store()
    {
        var n = NewNumber();
        var csv = $"number,provider,Status,carrier_ref\n{n},bandwidth,ACTIVE,CR-7\n";
        foreach (var path in new[] { "/api/v1/dids/import/validate", "/api/v1/dids/import" })
        {
            var response = await Admin.PostAsync(path, new StringContent(csv, Encoding.UTF8, "text/csv"));
            var body = await Expect(response, path.EndsWith("validate") ? HttpStatusCode.OK : HttpStatusCode.Created);
            Assert.That(body.GetProperty("ignored_columns").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "Status" }), path);
        }
        var item = (await Expect(await Admin.GetAsync($"/api/v1/dids?number={Uri.EscapeDataString(n)}"), HttpStatusCode.OK)).GetProperty("items")[0];
        var metadata = item.GetProperty("provider_metadata");
        Assert.That(metadata.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "carrier_ref" }), metadata.ToString());
        Assert.That(metadata.GetProperty("carrier_ref").GetString(), Is.EqualTo("CR-7"));
    }

    [Test]
    public async Task Csv_import_of_20000_rows_stores_them_all()
    {
        var numbers = NewNumbers(20_000);
        var csv = new StringBuilder("number,provider\n");
        foreach (var n in numbers.Reverse()) csv.Append(n).Append(",carrier\n");
        var body = await Expect(await PostCsv(Admin, csv.ToString()), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(20_000));
        Assert.That(await StoredAsync(numbers), Is.EqualTo(20_000));
    }

    [Test]
    public async Task Csv_errors_name_their_lines_and_nothing_is_stored()
    {
        var existing = NewNumber();
        await ImportAsync(existing);
        var n = NewNumbers(3);
        var csv = string.Join("\n",
            "number,provider,metadata",
            $"{n[0]},a,",                      // line 2
            "+1 555 123,a,",                   // line 3
            $"{n[1]},a",                       // line 4: two columns
            $"{n[0]},a,",                      // line 5
            $"{existing},a,",                  // line 6
            $"{n[2]},a,[1]",                   // line 7
            $"{NewNumber()},a,{{not json",     // line 8
            "") ;
        var body = await Expect(await PostCsv(Admin, csv), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "line 3: Not a valid number (TOO_SHORT): '+1 555 123'",
            "line 4: expected 3 columns, found 2",
            $"line 5: Duplicate number: {n[0]} (also at line 2)",
            $"line 6: Number already in inventory: {existing}",
            "line 7: metadata must be a JSON object (you sent '[1]')",
            "line 8: metadata is not valid JSON",
        }));
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(6));
        Assert.That(body.GetProperty("imported").GetInt64(), Is.Zero);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("line 3"));
        Assert.That(await StoredAsync(n), Is.Zero);
    }

    [Test]
    public async Task Csv_errors_are_keyed_by_line_with_messages_that_do_not_repeat_it()
    {
        var n = NewNumber();
        var body = await Expect(await PostCsv(Admin, $"number,provider\n{n},a\n+1 555 123,a\n{n},a\n"), HttpStatusCode.BadRequest);
        var errors = body.GetProperty("errors");
        Assert.That(errors.ValueKind, Is.EqualTo(JsonValueKind.Object), body.ToString());
        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "line 3", "line 4" }));
        Assert.That(errors.GetProperty("line 3").EnumerateArray().Select(m => m.GetString()),
            Is.EqualTo(new[] { "Not a valid number (TOO_SHORT): '+1 555 123'" }));
        Assert.That(errors.GetProperty("line 4").EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { $"Duplicate number: {n} (also at line 2)" }));
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(2));
        Assert.That(body.GetProperty("imported").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task Csv_metadata_and_provider_errors_echo_what_was_sent()
    {
        var n = NewNumbers(2);
        var longArray = "\"[" + string.Join(",", Enumerable.Repeat("12345", 10)) + "]\"";
        var csv = $"number,provider,metadata\n{n[0]},ab\u0007c,\n{n[1]},a,{longArray}\n";
        var body = await Expect(await PostCsv(Admin, csv), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "line 2: provider must not contain control characters: U+0007 at position 3 (you sent 'ab?c')",
            "line 3: metadata must be a JSON object (you sent '[12345,12345,12345,12345,12345,12345,123...')",
        }));
        Assert.That(await StoredAsync(n), Is.Zero);
    }

    [Test]
    public async Task A_csv_line_is_refused_with_every_problem_it_has_and_counted_once()
    {
        var n = NewNumber();
        var csv = $"number,provider,metadata\n+1555BAD,ab\u0007c,\"[1]\"\n{n},a,\n";
        var body = await Expect(await PostCsv(Admin, csv), HttpStatusCode.BadRequest);
        Assert.That(Errors(body), Is.EqualTo(new[]
        {
            "line 2: Not a valid number (NOT_A_NUMBER): '+1555BAD'",
            "line 2: provider must not contain control characters: U+0007 at position 3 (you sent 'ab?c')",
            "line 2: metadata must be a JSON object (you sent '[1]')",
        }));
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(1), "failed counts refused lines");
        Assert.That(await StoredAsync([n]), Is.Zero);
    }

    [Test]
    public async Task Csv_lists_at_most_1000_errors_and_counts_them_all()
    {
        var csv = new StringBuilder("number,provider\n");
        for (var i = 0; i < 1500; i++) csv.Append("+1555BAD").Append(i).Append(",x\n");
        var body = await Expect(await PostCsv(Admin, csv.ToString()), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(1500));
        var errors = Errors(body);
        Assert.That(errors, Has.Length.EqualTo(1000));
        Assert.That(errors[0], Is.EqualTo("line 2: Not a valid number (NOT_A_NUMBER): '+1555BAD0'"));
        Assert.That(errors[^1], Does.StartWith("line 1001: "));
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static IEnumerable<TestCaseData> Garbage()
    {
        var random = new byte[4096];
        new Random(3).NextBytes(random);
        yield return new TestCaseData(random, "line 1").SetName("Binary_body_is_a_400_naming_line_1");
        yield return new TestCaseData(Utf8("phone,carrier\n+12125550001,x\n"), "line 1: the header must name").SetName("Wrong_columns_is_a_400_naming_the_header");
        yield return new TestCaseData(Utf8("number,provider\n+12125550001,x\n+1555" + new string('1', 10 * 1024 * 1024) + ",x\n"), "line 3: the row is longer than")
            .SetName("A_10_MB_line_is_a_400_naming_it");
        yield return new TestCaseData(Utf8("number,provider\n\"+12125550001,x\n+12125550002,x\n" + string.Concat(Enumerable.Repeat("+12125550003,x\n", 10_000))), "line 2")
            .SetName("A_quote_that_never_closes_is_a_400_naming_its_line");
        yield return new TestCaseData(Utf8("number,provider\n+12125550001,x\n").Concat(new byte[] { 0x2b, 0x31, 0xff, 0xfe, 0x2c, 0x78, 0x0a }).ToArray(), "line 3: binary data or invalid UTF-8")
            .SetName("Invalid_utf8_is_a_400_naming_its_line");
        yield return new TestCaseData(Utf8("number,provider\n+12125550001,x\n+1555 123 4567,x\n+1555CALLNOW,x\n"), "line 3: Not a valid number (INVALID_FOR_REGION): '+1555 123 4567'")
            .SetName("Numbers_no_numbering_plan_has_or_with_letters_are_a_400_naming_the_first_line");
        yield return new TestCaseData(Utf8("number,provider\n+12125550001,x\n+1 212 555 0110 *,x\n"), "line 3: Not a valid number (NOT_A_NUMBER): '+1 212 555 0110 *'")
            .SetName("A_number_with_trailing_junk_is_a_400_naming_its_line");
        yield return new TestCaseData(Array.Empty<byte>(), "line 1: the body is empty").SetName("Empty_body_is_a_400");
        yield return new TestCaseData(Utf8("number,provider\n"), "no rows").SetName("Header_without_rows_is_a_400");
        yield return new TestCaseData(Utf8("number,provider,number\n"), "twice").SetName("Duplicate_header_column_is_a_400");
        yield return new TestCaseData(Utf8("number,provider\n+12125550001,a\0b\n"), "line 2: binary data").SetName("Nul_in_a_row_is_a_400_naming_its_line");
        yield return new TestCaseData(Utf8("number,provider,metadata,rate_center\n+12125550001,a,\"{\"\"k\"\":1,\"\"k\"\":2}\",RC\n"),
            "line 2: metadata names the key 'k' twice").SetName("Metadata_naming_a_key_twice_beside_extra_columns_is_a_400");
        yield return new TestCaseData(Utf8("number,provider,metadata\n+12125550001,a,\"{\"\"k\"\":1,\"\"k\"\":2}\"\n"),
            "line 2: metadata names the key 'k' twice").SetName("Metadata_naming_a_key_twice_is_a_400");
        yield return new TestCaseData(Utf8("number,provider,metadata\n+12125550001,a,{}\n+12125550002,a,\"{\"\"k\"\":1e1000000}\"\n"),
            "line 3: metadata is larger than 16,384 bytes").SetName("Metadata_with_a_number_too_large_to_store_is_a_400_naming_its_line");
        yield return new TestCaseData(Utf8("number,provider,metadata\n+12125550001,a,{}\n+12125550002,a,\"{\"\"k\"\":\"\"a\\u0000b\"\"}\"\n"),
            "line 3: metadata must not contain U+0000").SetName("Metadata_with_an_escaped_nul_is_a_400_naming_its_line");
        yield return new TestCaseData(Utf8("number,provider,metadata,rate_center\n+12125550001,a,{},RC\n+12125550002,a,\"{\"\"k\"\":\"\"\\ud800\"\"}\",RC\n"),
            "line 3: metadata must be valid Unicode").SetName("Metadata_with_an_unpaired_surrogate_beside_extra_columns_is_a_400_naming_its_line");
    }

    [TestCaseSource(nameof(Garbage))]
    public async Task Garbage_csv_is_a_400_problem_and_stores_nothing(byte[] csv, string detail)
    {
        var before = await CountAsync("SELECT count(*) FROM phone_numbers");
        var body = await Expect(await PostCsv(Admin, csv), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(detail));
        Assert.That(body.GetProperty("imported").GetInt64(), Is.Zero);
        Assert.That(body.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.Not.Empty.And.All.Match("^line [0-9]+$"), body.ToString());
        Assert.That(await CountAsync("SELECT count(*) FROM phone_numbers"), Is.EqualTo(before));
    }

    [Test]
    public async Task Csv_in_another_charset_is_a_415()
    {
        var content = new StringContent("number,provider\n", Encoding.Latin1, "text/csv");
        await Expect(await Admin.PostAsync("/api/v1/dids/import", content), HttpStatusCode.UnsupportedMediaType);
    }

    /// <summary>Writes rows, then fails mid-body as a dropped connection does.</summary>
    private sealed class BrokenCsv(string[] numbers, TaskCompletionSource sent) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var head = Encoding.UTF8.GetBytes("number,provider\n" + string.Concat(numbers.Select(n => n + ",x\n")));
            await stream.WriteAsync(head);
            await stream.FlushAsync();
            sent.TrySetResult();
            await Task.Delay(300);
            throw new IOException("connection lost");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Test]
    public async Task A_connection_lost_mid_import_leaves_nothing_behind()
    {
        var numbers = NewNumbers(5_000);
        var sent = new TaskCompletionSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/dids/import") { Content = new BrokenCsv(numbers, sent) };
        request.Content.Headers.ContentType = new("text/csv");
        Assert.That(async () => (await Admin.SendAsync(request)).EnsureSuccessStatusCode(), Throws.Exception);
        await sent.Task;
        // Wait until the server has given the import up (no COPY of ours still running), then look.
        for (var i = 0; i < 100 && await CountAsync("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY import_staging%' AND state = 'active'") > 0; i++)
            await Task.Delay(100);
        Assert.That(await StoredAsync(numbers), Is.Zero);
        Assert.That(await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'IMPORT' AND (after->>'count')::int = 5000"), Is.Zero);
        // The connection went back to the pool clean: the next import on it works.
        await ImportAsync(NewNumber());
    }

    [Test]
    public async Task Of_overlapping_concurrent_imports_exactly_one_stores_the_shared_numbers()
    {
        var shared = NewNumbers(200);
        var imports = Enumerable.Range(0, 6).Select(_ => shared.Concat(NewNumbers(300)).OrderBy(_ => Random.Shared.Next()).ToArray()).ToArray();
        var responses = await Task.WhenAll(imports.Select((nums, i) => i % 2 == 0
            ? PostCsv(Admin, "number,provider\n" + string.Concat(nums.Select(n => n + ",x\n")))
            : Admin.PostAsJsonAsync("/api/v1/dids/import", new { dids = nums.Select(n => new { number = n }) })));
        var codes = responses.Select(r => r.StatusCode).ToList();
        Assert.That(codes.Count(c => c == HttpStatusCode.Created), Is.EqualTo(1), string.Join(",", codes));
        Assert.That(codes.Count(c => c == HttpStatusCode.BadRequest), Is.EqualTo(5), string.Join(",", codes));
        foreach (var loser in responses.Where(r => r.StatusCode == HttpStatusCode.BadRequest))
        {
            var body = await Expect(loser, HttpStatusCode.BadRequest);
            Assert.That(body.GetProperty("failed").GetInt64(), Is.EqualTo(200));
            Assert.That(Errors(body), Has.All.Contains("Number already in inventory"));
        }
        var winner = imports[codes.IndexOf(HttpStatusCode.Created)];
        Assert.That(await StoredAsync(imports.SelectMany(x => x).Distinct()), Is.EqualTo(500));
        Assert.That(await StoredAsync(winner), Is.EqualTo(500));
    }
}
