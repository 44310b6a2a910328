using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>The document check itself: each rule it enforces is broken once in a small document, and it says so.</summary>
public sealed class OpenApiContractTests
{
    private const string Problem = """{"content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/ProblemDetails"}}}}""";
    private const string Job = """{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Job"}}}}""";

    private static List<string> Check(string operation, string components = "{}", string tags = """[{"name":"Apply","description":"Deploys."}]""",
        string servers = """[{"url":"http://127.0.0.1:5080"}]""", string info = """{"title":"t","version":"v1","license":{"name":"MIT","identifier":"MIT"}}""")
    {
        var json = "{\"openapi\":\"3.1.1\",\"info\":" + info + ",\"servers\":" + servers
            + ",\"paths\":{\"/api/v1/apply\":{\"post\":" + operation + "}},\"components\":{\"schemas\":" + components + "},\"tags\":" + tags + "}";
        using var doc = JsonDocument.Parse(json);
        return OpenApiContract.Violations(doc.RootElement);
    }

    private static string Operation(string responses, string extra = "\"operationId\":\"ApplyDialplan\",\"security\":[]") =>
        "{" + extra + ",\"responses\":{" + responses + "}}";

    [Test]
    public void A_clean_operation_passes() =>
        Assert.That(Check(Operation($"\"200\":{Job},\"409\":{Problem}")), Is.Empty);

    [Test]
    public void An_operation_without_an_operation_id_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}", "\"security\":[]")), Has.Some.Contains("no operationId"));

    [Test]
    public void An_operation_without_security_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}", "\"operationId\":\"ApplyDialplan\"")), Has.Some.Contains("no security"));

    [Test]
    public void Two_2xx_schemas_fail() =>
        Assert.That(Check(Operation($"\"200\":{Job},\"201\":{Job}")), Has.Some.Contains("more than one 2xx schema"));

    [Test]
    public void Two_media_types_of_one_2xx_fail() =>
        Assert.That(Check(Operation("""
            "200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Job"}},"text/csv":{"schema":{"type":"string"}}}}
            """)), Has.Some.Contains("more than one 2xx schema"));

    [Test]
    public void A_one_of_response_fails() =>
        Assert.That(Check(Operation("""
            "200":{"content":{"application/json":{"schema":{"oneOf":[{"$ref":"#/components/schemas/Job"},{"$ref":"#/components/schemas/Preview"}]}}}}
            """)), Has.Some.Contains("oneOf"));

    [Test]
    public void A_one_of_behind_a_reference_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), """{"Job":{"oneOf":[{"type":"object"},{"type":"string"}]}}"""), Has.Some.Contains("oneOf"));

    [TestCase("""{"content":{"application/json":{"schema":{"type":"object"}}}}""")]
    [TestCase("""{"description":"Conflict"}""")]
    public void An_error_that_is_not_problem_json_fails(string response) =>
        Assert.That(Check(Operation($"\"200\":{Job},\"409\":{response}")), Has.Some.Contains("409 is not application/problem+json"));

    [Test]
    public void A_400_without_errors_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job},\"400\":{Problem}"), """{"ProblemDetails":{"type":"object","properties":{"detail":{"type":"string"}}}}"""),
            Has.Some.Contains("400 has no errors member"));

    [Test]
    public void An_operation_with_a_body_and_no_415_fails() =>
        Assert.That(Check("""{"operationId":"ApplyDialplan","security":[],"requestBody":{"content":{"application/json":{}}},"responses":{}}"""),
            Has.Some.Contains("has a request body but no 415"));

    [Test]
    public void An_enum_component_that_holds_null_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), """{"When":{"type":["null","string"],"enum":["OPEN",null]}}"""),
            Has.Some.Contains("schema When: an enum component that holds null"));

    [Test]
    public void A_problem_schema_that_does_not_require_its_members_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), """{"ProblemDetails":{"type":"object","required":["type","title","status","detail","instance"]}}"""),
            Has.Some.Contains("schema ProblemDetails: does not require 'trace_id'"));

    [Test]
    public void A_problem_schema_that_refuses_extension_members_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), """
            {"HttpValidationProblemDetails":{"type":"object","required":["type","title","status","detail","instance","trace_id","request_id"],"additionalProperties":false}}
            """), Is.EqualTo(new[] { "schema HttpValidationProblemDetails: refuses extension members (trace_id, errors, accepted_parameters...)" }));

    [Test]
    public void A_pattern_on_a_list_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), """{"Hours":{"type":"object","properties":{"days":{"type":"array","pattern":"^MON$","items":{"type":"string"}}}}}"""),
            Has.Some.Contains("Hours.days: a pattern or length on a non-string (array)"));

    [Test]
    public void A_nullable_any_value_written_as_one_of_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), """
            {"JsonElement":{},"Audit":{"type":"object","properties":{"before":{"oneOf":[{"type":"null"},{"$ref":"#/components/schemas/JsonElement"}]}}}}
            """), Has.Some.Contains("Audit.before: a oneOf with an alternative that takes any value"));

    [Test]
    public void A_tag_without_a_description_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), tags: """[{"name":"Apply"}]"""), Has.Some.Contains("tag Apply: no description"));

    [Test]
    public void A_server_url_ending_with_a_slash_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), servers: """[{"url":"http://127.0.0.1:5080/"}]"""), Has.Some.Contains("ends with '/'"));

    [Test]
    public void A_document_without_a_license_fails() =>
        Assert.That(Check(Operation($"\"200\":{Job}"), info: """{"title":"t","version":"v1"}"""), Has.Some.Contains("no license"));

    private const string Validation = """
        {"paths":{"/api/v1/dids/import":{"post":{"responses":{"400":{"content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/V"}}}}}}}},
         "components":{"schemas":{"V":{"type":"object","required":["title"],"properties":{"title":{"type":"string"},
           "errors":{"type":"object","additionalProperties":{"type":"array","items":{"type":"string"}}}}}}}}
        """;

    private static List<string> BodyCheck(string body)
    {
        using var doc = JsonDocument.Parse(Validation);
        using var answer = JsonDocument.Parse(body);
        return OpenApiContract.BodyViolations(doc.RootElement, "post", "/api/v1/dids/import", "400", answer.RootElement);
    }

    [Test]
    public void A_body_with_errors_as_declared_passes() =>
        Assert.That(BodyCheck("""{"title":"t","failed":2,"errors":{"line 3":["bad"],"line 4":["worse","worst"]}}"""), Is.Empty);

    [TestCase("""{"title":"t","errors":["line 3: bad"]}""", "$.errors: array, the document says object")]
    [TestCase("""{"title":"t","errors":{"line 3":"bad"}}""", "$.errors[line 3]: string, the document says array")]
    [TestCase("""{"title":"t","errors":{"line 3":[3]}}""", "$.errors[line 3][0]: integer, the document says string")]
    [TestCase("""{"errors":{}}""", "$: no 'title'")]
    public void A_body_unlike_the_declared_answer_fails(string body, string violation) =>
        Assert.That(BodyCheck(body), Is.EqualTo(new[] { violation }));
}
