using System.Net;
using System.Text.Json;
using Did.Infrastructure.Http;
using Did.Tests.Support;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>A query parameter the operation does not declare is refused like an unknown JSON property: 400 problem
/// naming it and listing the accepted ones, on every operation the document describes.</summary>
public sealed class UnknownQueryParameterTests : ApiFixture
{
    [Test]
    public async Task A_sort_on_a_list_without_sorting_is_a_400_naming_it_and_the_accepted_parameters()
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/tenants?sort=name"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'sort'").And.Contain("page_size"));
        Assert.That(body.GetProperty("errors").GetProperty("sort")[0].GetString(), Is.EqualTo("Unknown query parameter."));
        var accepted = body.GetProperty("accepted_parameters").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.That(accepted, Is.SupersetOf(new[] { "page", "page_size" }).And.Not.Contains("sort"));
    }

    [Test]
    public async Task A_filter_the_list_does_not_have_is_refused_even_when_empty()
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/tenants?status="), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty("status", out _), Is.True);
    }

    [Test]
    public async Task Every_unknown_parameter_is_named_at_once()
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/users?colour=red&page=1&size=3"), HttpStatusCode.BadRequest);
        var named = body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(named, Is.EquivalentTo(new[] { "colour", "size" }));
    }

    [Test]
    public async Task A_declared_parameter_is_accepted_in_any_case_as_binding_reads_it()
    {
        var body = await Expect(await Admin.GetAsync("/api/v1/tenants?PAGE_SIZE=3"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("page_size").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task A_method_in_lower_case_is_checked_like_its_upper_case()
    {
        var response = await Admin.SendAsync(new HttpRequestMessage(new HttpMethod("get"), "/api/v1/tenants?sort=name"));
        var body = await Expect(response, HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty("sort", out _), Is.True);
    }

    [Test]
    public async Task An_operation_without_query_parameters_says_it_takes_none()
    {
        var tenant = await CreateTenantAsync();
        var body = await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}?expand=users"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'expand'").And.Contain("takes no query parameters"));
        Assert.That(body.GetProperty("accepted_parameters").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task A_write_with_an_unknown_parameter_changes_nothing()
    {
        var slug = Unique("q");
        await Expect(await SendJson(Admin, HttpMethod.Post, "/api/v1/tenants?force=true", $"{{\"name\":\"Q\",\"slug\":\"{slug}\"}}"), HttpStatusCode.BadRequest);
        var list = await Expect(await Admin.GetAsync("/api/v1/tenants?page_size=200"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("slug").GetString()), Has.No.Member(slug));
    }

    [Test]
    public async Task Anonymous_operations_refuse_them_too()
    {
        var body = await Expect(await Anonymous.GetAsync("/health/live?verbose=1"), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty("verbose", out _), Is.True);
    }

    [TestCase("true")]
    [TestCase("false")]
    public async Task Dry_run_on_apply_is_refused_with_a_pointer_to_the_preview_operation(string value)
    {
        var body = await Expect(await Admin.PostAsync($"/api/v1/apply?dry_run={value}", null), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("'dry_run'").And.Contain("POST /api/v1/apply/preview"));
        Assert.That(body.GetProperty("errors").GetProperty("dry_run")[0].GetString(), Does.Contain("POST /api/v1/apply/preview"));
    }

    [Test]
    public async Task An_unauthenticated_caller_gets_401_before_any_word_about_parameters() =>
        await Expect(await Anonymous.GetAsync("/api/v1/tenants?sort=name"), HttpStatusCode.Unauthorized);

    [Test]
    public async Task Every_operation_of_the_document_has_its_declared_parameters_and_only_those()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (
                Operation: $"{m.Name.ToUpperInvariant()} {p.Name}",
                Query: Parameters(m.Value).OrderBy(n => n, StringComparer.Ordinal).ToList())))
            .ToList();

        var declared = new DeclaredQueryParameters(App.Services.GetRequiredService<EndpointDataSource>(),
            App.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>());
        var guarded = declared.Operations.Select(o => (
                Operation: $"{o.Key.Method} {DocumentPath(o.Key.Template)}",
                Query: o.Value.Names.OrderBy(n => n, StringComparer.Ordinal).ToList()))
            .ToList();

        Assert.That(guarded.Select(g => g.Operation), Is.EquivalentTo(documented.Select(d => d.Operation)));
        foreach (var (operation, query) in documented)
            Assert.That(guarded.Single(g => g.Operation == operation).Query, Is.EqualTo(query), operation);
    }

    private static IEnumerable<string> Parameters(JsonElement operation) =>
        operation.TryGetProperty("parameters", out var ps)
            ? ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)
            : [];

    /// <summary>A route template as the document writes it: "/api/v1/dids/{id:guid}/" is "/api/v1/dids/{id}".</summary>
    private static string DocumentPath(string template) =>
        "/" + System.Text.RegularExpressions.Regex.Replace(template.Trim('/'), @"\{(\w+):[^}]*\}", "{$1}");
}
