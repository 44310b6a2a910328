using System.Net;
using System.Net.Http.Json;
using Did.Tests.Foundation;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>The 400 of an import or a bulk change is the answer the document declares for the operation
/// (HttpValidationProblemDetails), so a client generated from the document reads its row problems.</summary>
public sealed class RowProblemDocumentTests : DidFixture
{
    [Test]
    public async Task A_csv_imports_row_problems_are_the_declared_400()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var body = await Expect(await PostCsv(Admin, "number,provider\n+1 555 123,a\n"), HttpStatusCode.BadRequest);
        Assert.That(OpenApiContract.BodyViolations(doc, "post", "/api/v1/dids/import", "400", body), Is.Empty, body.ToString());
    }

    [Test]
    public async Task A_bulk_deallocates_row_problems_are_the_declared_400()
    {
        var doc = await Expect(await Anonymous.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers = new[] { NewNumber() } }),
            HttpStatusCode.BadRequest);
        Assert.That(OpenApiContract.BodyViolations(doc, "post", "/api/v1/dids/deallocate", "400", body), Is.Empty, body.ToString());
    }
}
