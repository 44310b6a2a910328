using System.Net;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A 400 for input the JSON reader or the query binder refuses carries <c>errors</c> naming the field, as a
/// validation failure does, so a client reads one shape for every 400.</summary>
public sealed class RefusedInputFieldTests : ApiFixture
{
    [TestCase("{\"name\":\"x\"}", "slug")]
    [TestCase("{\"name\":1,\"slug\":\"abc\"}", "name")]
    [TestCase("{\"name\":null,\"slug\":\"abc\"}", "name")]
    [TestCase("{\"name\":\"x\",\"slug\":\"abc\",\"colour\":\"red\"}", "colour")]
    [TestCase("{\"name\":\"x\",\"slug\":\"abc\",\"slug\":\"abd\"}", "slug")]
    [TestCase("{\"name\":\"x\",", "body")]
    [TestCase("[1,2]", "body")]
    [TestCase("", "body")]
    public async Task A_tenant_body_the_reader_refuses_names_its_field(string json, string field) =>
        await Problems.FieldErrorsAsync(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants", json), field);

    [Test]
    public async Task A_nested_value_is_named_by_its_path_and_an_enum_lists_its_values()
    {
        var json = "{\"assigned_type\":\"USER\",\"rules\":[{\"destination\":{\"type\":\"queue\"}}]}";
        var messages = await Problems.FieldErrorsAsync(
            await SendJson(Admin, HttpMethod.Put, $"/api/v1/dids/{Guid.NewGuid()}/assign", json), "rules[0].destination.type");
        Assert.That(messages[0], Does.Contain("must be one of USER, IVR, QUEUE, EXTERNAL"));
    }

    [Test]
    public async Task A_missing_property_of_a_nested_object_is_named_by_its_path() =>
        await Problems.FieldErrorsAsync(await SendJson(Admin, HttpMethod.Put, $"/api/v1/dids/{Guid.NewGuid()}/assign",
            "{\"assigned_type\":\"USER\",\"rules\":[{\"caller_id_prefix\":\"+44\"}]}"), "rules[0].destination");

    [TestCase("/api/v1/dids?page=abc", "page")]
    [TestCase("/api/v1/dids?status=assigned", "status")]
    [TestCase("/api/v1/audit-logs?from=yesterday", "from")]
    [TestCase("/api/v1/users?tenant_id=nope", "tenant_id")]
    public async Task A_query_value_that_does_not_bind_names_its_parameter(string url, string field) =>
        await Problems.FieldErrorsAsync(await Admin.GetAsync(url), field);
}
