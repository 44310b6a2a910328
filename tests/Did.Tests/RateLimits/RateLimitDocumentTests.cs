using System.Net;
using Did.Tests.Foundation;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.RateLimits;

/// <summary>The limits as a generated client sees them in the served document.</summary>
public sealed class RateLimitDocumentTests : ApiFixture
{
    [Test]
    public async Task Every_operation_that_needs_a_credential_and_the_sign_in_may_answer_429_with_retry_after()
    {
        var paths = (await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK)).GetProperty("paths");
        var missing = new List<string>();
        foreach (var path in paths.EnumerateObject())
        foreach (var op in path.Value.EnumerateObject())
        {
            var secured = op.Value.GetProperty("security").GetArrayLength() > 0;
            if (!secured && path.Name != "/api/v1/auth/token") continue;
            var responses = op.Value.GetProperty("responses");
            if (!responses.TryGetProperty("429", out var tooMany)
                || !tooMany.GetProperty("content").TryGetProperty(OpenApiContract.ProblemJson, out _)
                || !tooMany.TryGetProperty("headers", out var headers) || !headers.TryGetProperty("Retry-After", out _))
                missing.Add($"{op.Name.ToUpperInvariant()} {path.Name}");
        }
        Assert.That(missing, Is.Empty);
        var described = paths.GetProperty("/api/v1/ivrs").GetProperty("post").GetProperty("responses").GetProperty("429")
            .GetProperty("description").GetString();
        Assert.That(described, Does.Contain("Tenant roles: writes 100 at once, then 3,000 a minute; reads 200 at once, then 6,000 a minute"),
            "the limits in force, in the document");
        Assert.That(paths.GetProperty("/health/live").GetProperty("get").GetProperty("responses").TryGetProperty("429", out _), Is.False);
    }
}
