using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>Helpers for the DID fixtures: fresh numbers that no other test of the fixture uses, imports through the API,
/// and direct reads of the table to prove what was (not) stored.</summary>
public abstract class DidFixture : ApiFixture
{
    private static int _next;

    /// <summary>US area codes whose every exchange 200-999 libphonenumber holds valid (FIXED_LINE_OR_MOBILE); 971 is
    /// ApiFixture.SeedNumbersAsync's.</summary>
    private static readonly int[] AreaCodes = [212, 646, 718, 917, 415, 312, 305, 213, 617, 202, 201, 206, 303, 404, 512, 702, 786, 818, 949];

    private readonly int _area = AreaCodes[Random.Shared.Next(AreaCodes.Length)];
    private readonly int _exchange = Random.Shared.Next(0, 800);

    /// <summary>A valid US number no other call returns in this test run: +1 area exchange line.</summary>
    protected string NewNumber()
    {
        var n = Interlocked.Increment(ref _next);
        return $"+1{_area}{200 + (_exchange + n / 10_000) % 800}{n % 10_000:D4}";
    }

    protected string[] NewNumbers(int n) => Enumerable.Range(0, n).Select(_ => NewNumber()).ToArray();

    protected static Task<HttpResponseMessage> PostCsv(HttpClient client, string csv) =>
        client.PostAsync("/api/v1/dids/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

    protected static Task<HttpResponseMessage> PostCsv(HttpClient client, byte[] csv)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new("text/csv");
        return client.PostAsync("/api/v1/dids/import", content);
    }

    protected async Task<Dictionary<string, Guid>> ImportAsync(params string[] numbers)
    {
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/import",
            new { dids = numbers.Select(n => new { number = n, provider = "acme-carrier" }) }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("imported").GetInt64(), Is.EqualTo(numbers.Length));
        await using var conn = await Db.OpenConnectionAsync();
        return (await conn.QueryAsync<(string Number, Guid Id)>("SELECT number, id FROM phone_numbers WHERE number = ANY(@numbers)", new { numbers }))
            .ToDictionary(r => r.Number, r => r.Id);
    }

    protected async Task<Guid> ImportOneAsync() => (await ImportAsync(NewNumber())).Values.Single();

    protected async Task<long> StoredAsync(IEnumerable<string> numbers)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM phone_numbers WHERE number = ANY(@numbers)", new { numbers = numbers.ToArray() });
    }

    protected async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }

    /// <summary>The row problems of an import or bulk change's 400, as "field: message" in the order of the body
    /// (<c>errors</c> is {field: [messages]}).</summary>
    protected static string[] Errors(JsonElement body) =>
        body.GetProperty("errors").EnumerateObject()
            .SelectMany(field => field.Value.EnumerateArray().Select(m => $"{field.Name}: {m.GetString()}")).ToArray();
}
