using System.Net;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.ApiKeys;

/// <summary>A key's name is how people tell keys apart in a list: it must show something.</summary>
public sealed class ApiKeyNameTests : ApiKeyFixture
{
    [TestCase("\\u200b")]
    [TestCase(" \\u200e\\u00ad ")]
    [TestCase("\\u2060\\ufeff")]
    public async Task A_name_of_only_invisible_characters_is_a_400_on_name_and_creates_nothing(string name)
    {
        var tenant = await CreateTenantAsync();

        var errors = await Problems.FieldErrorsAsync(await SendJson(Admin, HttpMethod.Post, "/api/v1/api-keys",
            $$"""{"name":"{{name}}","role":"USER","tenant_id":"{{tenant.Id}}"}"""), "name");

        Assert.That(errors[0], Does.Contain("visible"));
        Assert.That(await CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @id", new { id = tenant.Id }), Is.Zero);
    }

    [Test]
    public async Task A_name_with_an_invisible_character_among_visible_ones_is_kept_as_sent()
    {
        var tenant = await CreateTenantAsync();

        var created = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/api-keys",
            $$"""{"name":"deploy\u200dbot","role":"USER","tenant_id":"{{tenant.Id}}"}"""), HttpStatusCode.Created);

        Assert.That(created.GetProperty("name").GetString(), Is.EqualTo("deploy\u200dbot"));
    }
}
