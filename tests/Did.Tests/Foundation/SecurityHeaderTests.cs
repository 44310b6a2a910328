using System.Net;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Every response says <c>X-Content-Type-Options: nosniff</c>, whichever part of the pipeline wrote it.</summary>
public sealed class SecurityHeaderTests : ApiFixture
{
    [Test]
    public async Task A_json_answer_carries_nosniff() =>
        AssertNoSniff(await Admin.GetAsync("/api/v1/tenants"));

    [Test]
    public async Task A_problem_written_by_the_exception_handler_carries_nosniff()
    {
        // The exception handler clears the response's headers before it writes the problem.
        var response = await Admin.GetAsync($"/api/v1/tenants/{Guid.NewGuid()}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        AssertNoSniff(response);
    }

    [Test]
    public async Task An_empty_401_made_a_problem_carries_nosniff()
    {
        var response = await Anonymous.GetAsync("/api/v1/tenants");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        AssertNoSniff(response);
    }

    [Test]
    public async Task An_unknown_route_carries_nosniff()
    {
        var response = await Admin.GetAsync("/api/v1/nothing-here");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        AssertNoSniff(response);
    }

    [Test]
    public async Task A_204_carries_nosniff()
    {
        var tenant = await CreateTenantAsync();
        var response = await Admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        AssertNoSniff(response);
    }

    [TestCase("/openapi/v1.json")]
    [TestCase("/scalar")]
    public async Task The_document_and_its_reader_carry_nosniff(string path)
    {
        var response = await Anonymous.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertNoSniff(response);
    }

    private static void AssertNoSniff(HttpResponseMessage response) =>
        Assert.That(response.Headers.TryGetValues("X-Content-Type-Options", out var values) ? values : [], Is.EqualTo(new[] { "nosniff" }),
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}");
}
