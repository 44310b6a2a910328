using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A tenant's name is unique whatever its case, its composition (NFC), the spaces around it and the joiners in
/// it, so an operator picking from a list can tell tenants apart: a second one is a 409 naming the field and the value
/// sent, on create and on rename.</summary>
public sealed class TenantNameTests : ApiFixture
{
    private Task<HttpResponseMessage> Create(string name) =>
        Admin.PostAsJsonAsync("/api/v1/tenants", new { name, slug = Unique("n") });

    private static async Task AssertDuplicateAsync(HttpResponseMessage response, string sent)
    {
        var body = await Expect(response, HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain($"'{sent}'"));
        var messages = body.GetProperty("errors").GetProperty("name");
        Assert.That(messages.GetArrayLength(), Is.EqualTo(1));
        Assert.That(messages[0].GetString(), Does.Contain($"'{sent}'"));
    }

    public static IEnumerable<TestCaseData> SameNames()
    {
        yield return new TestCaseData("Acme {0}", "Acme {0}").SetArgDisplayNames("identical");
        yield return new TestCaseData("Acme {0}", "ACME {0}").SetArgDisplayNames("another case");
        yield return new TestCaseData("Acme {0}", "  acme {0} ").SetArgDisplayNames("spaces around");
        yield return new TestCaseData("M\u00FCller {0}", "MU\u0308LLER {0}").SetArgDisplayNames("decomposed and upper case");
        yield return new TestCaseData("Acme {0}", "Ac\u200Dme {0}").SetArgDisplayNames("a joiner inside");
        yield return new TestCaseData("\u0915\u093C {0}", "\u0958 {0}").SetArgDisplayNames("a composition exclusion");
    }

    [TestCaseSource(nameof(SameNames))]
    public async Task A_second_tenant_with_the_same_name_is_a_409_naming_it(string first, string second)
    {
        var id = Unique("");
        first = string.Format(first, id);
        second = string.Format(second, id);
        await Expect(await Create(first), HttpStatusCode.Created);

        await AssertDuplicateAsync(await Create(second), second.Trim());
    }

    [TestCaseSource(nameof(SameNames))]
    public async Task Renaming_a_tenant_to_a_taken_name_is_a_409_that_changes_nothing(string first, string second)
    {
        var id = Unique("");
        first = string.Format(first, id);
        second = string.Format(second, id);
        await Expect(await Create(first), HttpStatusCode.Created);
        var other = await CreateTenantAsync();

        await AssertDuplicateAsync(await Patch(Admin, $"/api/v1/tenants/{other.Id}", new { name = second }), second.Trim());

        var after = await Expect(await Admin.GetAsync($"/api/v1/tenants/{other.Id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("name").GetString(), Is.EqualTo(other.Name));
        await using var conn = await Db.OpenConnectionAsync();
        await using var count = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM audit_logs WHERE entity_type = 'TENANT' AND entity_id = @id AND action = 'UPDATE'", conn);
        count.Parameters.AddWithValue("id", other.Id);
        Assert.That(await count.ExecuteScalarAsync(), Is.EqualTo(0L), "a refused rename writes no audit row");
    }

    [Test]
    public async Task A_tenant_may_be_renamed_to_its_own_name_in_another_case()
    {
        var id = Unique("");
        var created = await Expect(await Create($"Acme {id}"), HttpStatusCode.Created);

        var renamed = await Expect(await Patch(Admin, $"/api/v1/tenants/{created.GetProperty("id").GetGuid()}", new { name = $"ACME {id}" }), HttpStatusCode.OK);
        Assert.That(renamed.GetProperty("name").GetString(), Is.EqualTo($"ACME {id}"));
    }

    [Test]
    public async Task A_name_freed_by_a_rename_or_a_delete_may_be_taken_again()
    {
        var id = Unique("");
        var renamed = await Expect(await Create($"Acme {id}"), HttpStatusCode.Created);
        await Expect(await Patch(Admin, $"/api/v1/tenants/{renamed.GetProperty("id").GetGuid()}", new { name = $"Acme old {id}" }), HttpStatusCode.OK);
        var deleted = await Expect(await Create($"Acme {id}"), HttpStatusCode.Created);
        await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{deleted.GetProperty("id").GetGuid()}"), HttpStatusCode.NoContent);

        await Expect(await Create($"acme {id}"), HttpStatusCode.Created);
    }

    [Test]
    public async Task Two_tenants_created_with_one_name_at_once_are_one_201_and_one_409()
    {
        var name = $"Race {Unique("")}";
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Create(name)));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created), Is.EqualTo(1));
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(3));
        var list = await Expect(await Admin.GetAsync("/api/v1/tenants?page_size=200"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("items").EnumerateArray().Count(t => t.GetProperty("name").GetString() == name), Is.EqualTo(1));
    }

    [Test]
    public async Task The_document_says_a_rename_may_be_a_409()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var responses = doc.GetProperty("paths").GetProperty("/api/v1/tenants/{id}").GetProperty("patch").GetProperty("responses");
        Assert.That(responses.TryGetProperty("409", out JsonElement _), Is.True);
    }
}
