using System.Net;
using System.Net.Http.Json;
using System.Text;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Nothing a client sends may produce a 500: every malformed request is a 4xx problem that says what is wrong.</summary>
public sealed class BadInputTests : ApiFixture
{
    [TestCase("{\"name\":\"x\",", "not valid JSON")]
    [TestCase("[1,2]", "The value at '$' has the wrong type")]
    [TestCase("{\"name\":1,\"slug\":\"abc\"}", "$.name")]
    [TestCase("{\"name\":null,\"slug\":\"abc\"}", "null")]
    [TestCase("{\"name\":\"x\"}", "Missing required property 'slug'")]
    [TestCase("{\"name\":\"x\",\"slug\":\"abc\",\"colour\":\"red\"}", "colour")]
    [TestCase("", "body")]
    [TestCase("{\"name\":\"x\",\"slug\":\"abc\",\"slug\":\"abd\"}", "Duplicate property 'slug'")]
    public async Task Malformed_tenant_bodies_are_a_400_problem(string json, string detail)
    {
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(detail));
        Assert.That(body.GetProperty("status").GetInt32(), Is.EqualTo(400));
        Assert.That(body.TryGetProperty("trace_id", out _), Is.True);
    }

    [TestCase("{\"name\":1,\"slug\":\"abc\"}", "name", "The value at '$.name' has the wrong type: it must be a string (you sent a number).")]
    [TestCase("[1,2]", "body", "The value at '$' has the wrong type: it must be an object.")]
    public async Task A_value_of_the_wrong_type_is_a_400_saying_what_it_must_be(string json, string field, string detail)
    {
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo(detail));
        Assert.That(body.GetProperty("errors").GetProperty(field)[0].GetString(), Is.EqualTo(detail));
    }

    [TestCase("\"20\"", "a whole number from -2147483648 to 2147483647 (you sent a string)")]
    [TestCase("1.5", "a whole number from -2147483648 to 2147483647")]
    [TestCase("1e400", "a whole number from -2147483648 to 2147483647")]
    public async Task A_number_field_says_which_numbers_it_takes(string seconds, string expected)
    {
        var tenant = await CreateTenantAsync();
        var json = $"{{\"tenant_id\":\"{tenant.Id}\",\"name\":\"support\",\"strategy\":\"RINGALL\",\"member_ring_seconds\":{seconds}}}";
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/queues", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("member_ring_seconds")[0].GetString(),
            Is.EqualTo($"The value at '$.member_ring_seconds' has the wrong type: it must be {expected}."));
    }

    [Test]
    public async Task A_null_where_a_uuid_belongs_is_a_400_saying_it_must_not_be_null()
    {
        var body = await Expect(await SendJson(Admin, HttpMethod.Patch, $"/api/v1/dids/{Guid.NewGuid()}/allocate", "{\"tenant_id\":null}"),
            HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("tenant_id")[0].GetString(), Is.EqualTo("The value at '$.tenant_id' must not be null."));
    }

    [TestCase("{\"members\":\"all\"}", "members", "an array")]
    [TestCase("{\"members\":[\"not-a-uuid\"]}", "members[0]", "a UUID")]
    public async Task A_list_field_says_what_it_holds(string patch, string field, string expected)
    {
        var tenant = await CreateTenantAsync();
        var queue = await Expect(await Admin.PostAsJsonAsync("/api/v1/queues",
            new { tenant_id = tenant.Id, name = "support", strategy = "RINGALL", member_ring_seconds = 15 }), HttpStatusCode.Created);
        var body = await Expect(await SendJson(Admin, HttpMethod.Patch, $"/api/v1/queues/{queue.GetProperty("id").GetGuid()}", patch),
            HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty(field)[0].GetString(), Does.EndWith($"has the wrong type: it must be {expected}."));
    }

    [TestCase("1")]
    [TestCase("\"ADMIN\"")]
    [TestCase("\"platform_admin\"")]
    [TestCase("\"PlatformAdmin\"")]
    public async Task Enum_accepts_only_its_uppercase_names(string role)
    {
        var json = $"{{\"email\":\"e{Guid.NewGuid():N}@x.io\",\"password\":\"long-enough-pw\",\"display_name\":\"X\",\"role\":{role}}}";
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/users", json), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("$.role"));
    }

    [Test]
    public async Task Over_long_name_is_a_400_naming_the_field()
    {
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants", $"{{\"name\":\"{new string('n', 201)}\",\"slug\":\"longname\"}}"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("name")[0].GetString(), Does.Contain("200"));
    }

    /// <summary>A name's limit counts characters as the database column does (code points, composed), not UTF-16 units:
    /// an emoji is one character, and a letter NFC writes as two is two.</summary>
    [Test]
    public async Task A_names_length_is_counted_in_characters_as_stored()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F4DE", 199));
        await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants", $"{{\"name\":\"{emoji}x\",\"slug\":\"{Unique("emo")}\"}}"),
            HttpStatusCode.Created);

        var tooMany = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants",
            $"{{\"name\":\"{emoji}xy\",\"slug\":\"{Unique("emo")}\"}}"), HttpStatusCode.BadRequest);
        Assert.That(tooMany.GetProperty("errors").GetProperty("name")[0].GetString(),
            Is.EqualTo("The length of 'name' must be 200 characters or fewer. You entered 201 characters."));

        // U+0958 is stored as U+0915 U+093C: 101 of them are 202 characters in the column.
        var composedLonger = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants",
            $"{{\"name\":\"{new string('\u0958', 101)}\",\"slug\":\"{Unique("qa")}\"}}"), HttpStatusCode.BadRequest);
        Assert.That(composedLonger.GetProperty("errors").GetProperty("name")[0].GetString(), Does.EndWith("You entered 202 characters."));
    }

    [Test]
    public async Task Nul_character_is_a_400()
    {
        var body = await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants", "{\"name\":\"a\\u0000b\",\"slug\":\"nulname\"}"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("name")[0].GetString(), Does.Contain("control characters"));
    }

    [Test]
    public async Task Invalid_utf8_is_a_400()
    {
        var bytes = Encoding.ASCII.GetBytes("{\"name\":\"__\",\"slug\":\"utf\"}");
        bytes[9] = 0xff;
        bytes[10] = 0xfe;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        var body = await Expect(await Admin.PostAsync("/api/v1/tenants", content), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("UTF-8"));
    }

    [Test]
    public async Task Body_over_the_configured_size_is_a_413_problem()
    {
        var json = $"{{\"name\":\"{new string('n', 1_100_000)}\",\"slug\":\"huge\"}}";
        await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants", json), HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>Browsers send Accept: text/html, some clients application/xml: the API has one error format, and a
    /// missing object must not turn into a 500 because the client asked for something else.</summary>
    [TestCase("text/html")]
    [TestCase("application/xml")]
    public async Task Errors_are_problem_json_whatever_the_accept_header(string accept)
    {
        HttpRequestMessage Request(HttpMethod method, string url, string? json = null)
        {
            var request = new HttpRequestMessage(method, url);
            request.Headers.Accept.ParseAdd(accept);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            return request;
        }

        var missing = await Expect(await Admin.SendAsync(Request(HttpMethod.Get, $"/api/v1/tenants/{Guid.NewGuid()}")), HttpStatusCode.NotFound);
        Assert.That(missing.GetProperty("detail").GetString(), Does.Contain("was not found"));
        var invalid = await Expect(await Admin.SendAsync(Request(HttpMethod.Post, "/api/v1/tenants", "{\"name\":\"\",\"slug\":\"ok-slug\"}")),
            HttpStatusCode.BadRequest);
        Assert.That(invalid.GetProperty("errors").TryGetProperty("name", out _), Is.True);
        var anonymous = await Expect(await Anonymous.SendAsync(Request(HttpMethod.Get, "/api/v1/tenants")), HttpStatusCode.Unauthorized);
        Assert.That(anonymous.GetProperty("type").GetString(), Does.StartWith("https://"));
        Assert.That(anonymous.TryGetProperty("trace_id", out _), Is.True);
    }

    [Test]
    public async Task A_body_sent_to_an_operation_that_takes_none_is_a_400_and_changes_nothing()
    {
        var tenant = await CreateTenantAsync();
        var number = (await SeedNumbersAsync(tenant.Id))[0];

        var deallocate = await Expect(await SendJson(Admin, HttpMethod.Patch, $"/api/v1/dids/{number.Id}/deallocate", "{\"reason\":\"moving out\"}"),
            HttpStatusCode.BadRequest);
        var delete = await Expect(await SendJson(Admin, HttpMethod.Delete, $"/api/v1/tenants/{tenant.Id}", "{}"), HttpStatusCode.BadRequest);

        Assert.That(deallocate.GetProperty("detail").GetString(), Does.Contain("takes no body"));
        Assert.That(delete.GetProperty("detail").GetString(), Does.Contain("takes no body"));
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"));
        await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{number.Id}/deallocate", null), HttpStatusCode.OK); // without a body, as before
    }

    /// <summary>Every 400 names its field (docs/decisions.md): a body where none is read is the field <c>body</c>.</summary>
    [Test]
    public async Task A_body_sent_to_an_operation_that_takes_none_is_named_as_the_field_body()
    {
        var number = (await SeedNumbersAsync((await CreateTenantAsync()).Id))[0];
        var problem = await Expect(await SendJson(Admin, HttpMethod.Patch, $"/api/v1/dids/{number.Id}/deallocate", "{}"), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").GetProperty("body")[0].GetString(),
            Is.EqualTo($"PATCH /api/v1/dids/{number.Id}/deallocate takes no body; send none."), problem.ToString());
    }

    [Test]
    public async Task Unknown_route_is_a_404_problem() =>
        await Expect(await Admin.GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound);

    [Test]
    public async Task Wrong_method_is_a_405_problem() =>
        await Expect(await Admin.PutAsync("/api/v1/tenants", new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.MethodNotAllowed);

    [Test]
    public async Task Non_json_content_type_is_a_415_problem() =>
        await Expect(await Admin.PostAsync("/api/v1/tenants", new StringContent("name=x", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType);

    [Test]
    public async Task Query_parameter_of_the_wrong_type_is_a_400_problem()
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/tenants?page=abc"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'page'").And.Contain("abc"));
    }

    [TestCase("page=0")]
    [TestCase("page_size=0")]
    [TestCase("page_size=201")]
    public async Task Paging_out_of_range_is_a_400(string query) =>
        await Expect(await Admin.GetAsync($"/api/v1/users?{query}"), HttpStatusCode.BadRequest);

    [TestCase("role=tenant_admin")]
    [TestCase("role=TenantAdmin")]
    [TestCase("role=2")]
    public async Task Query_enum_accepts_only_uppercase_names(string query)
    {
        var body = await Expect(await Admin.GetAsync($"/api/v1/users?{query}"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'role'"));
    }
}
