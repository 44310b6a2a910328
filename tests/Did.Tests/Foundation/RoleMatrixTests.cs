using System.Net;
using System.Text;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Each role against each route: allowed, or 401/403/404 as the contract says. Objects live in another
/// tenant than the tenant-scoped callers' own, so a tenant admin's "allowed" means "404: not yours to see".</summary>
public sealed class RoleMatrixTests : ApiFixture
{
    private TestTenant _home = null!;
    private TestTenant _other = null!;
    private readonly Dictionary<string, HttpClient> _clients = new();
    private TestUser _otherUser = null!;
    private TestUser _homeUser = null!;

    [OneTimeSetUp]
    public async Task CreateCallers()
    {
        _home = await CreateTenantAsync();
        _other = await CreateTenantAsync();
        _clients["ANONYMOUS"] = Anonymous;
        _clients["PLATFORM_ADMIN"] = Admin;
        _clients["SUPPORT"] = (await CreateUserAsync("SUPPORT", null)).Client;
        _clients["TENANT_ADMIN"] = (await CreateUserAsync("TENANT_ADMIN", _home.Id)).Client;
        _clients["USER"] = (await CreateUserAsync("USER", _home.Id)).Client;
        _otherUser = await CreateUserAsync("USER", _other.Id);
        _homeUser = await CreateUserAsync("USER", _home.Id);
    }

    // Expected status per role: anonymous, platform admin, support, tenant admin, user.
    private static readonly object[] Routes =
    [
        new object[] { "GET", "/api/v1/tenants", "", new[] { 401, 200, 200, 200, 403 } },
        new object[] { "POST", "/api/v1/tenants", "{\"name\":\"N\",\"slug\":\"{slug}\"}", new[] { 401, 201, 403, 403, 403 } },
        new object[] { "GET", "/api/v1/tenants/{other}", "", new[] { 401, 200, 200, 404, 403 } },
        new object[] { "GET", "/api/v1/tenants/{home}", "", new[] { 401, 200, 200, 200, 403 } },
        new object[] { "PATCH", "/api/v1/tenants/{other}", "{\"name\":\"Renamed\"}", new[] { 401, 200, 403, 403, 403 } },
        new object[] { "DELETE", "/api/v1/tenants/{empty}", "", new[] { 401, 204, 403, 403, 403 } },
        new object[] { "GET", "/api/v1/users", "", new[] { 401, 200, 200, 200, 200 } },
        new object[] { "POST", "/api/v1/users", "{\"email\":\"{slug}@x.io\",\"password\":\"long-enough-pw\",\"display_name\":\"N\",\"role\":\"USER\",\"tenant_id\":\"{home}\"}", new[] { 401, 201, 403, 201, 403 } },
        new object[] { "GET", "/api/v1/users/{otherUser}", "", new[] { 401, 200, 200, 404, 404 } },
        new object[] { "GET", "/api/v1/users/{homeUser}", "", new[] { 401, 200, 200, 200, 404 } },
        new object[] { "PATCH", "/api/v1/users/{otherUser}", "{\"display_name\":\"X\"}", new[] { 401, 200, 403, 404, 403 } },
        new object[] { "PATCH", "/api/v1/users/{homeUser}", "{\"display_name\":\"Y\"}", new[] { 401, 200, 403, 200, 403 } },
        new object[] { "DELETE", "/api/v1/users/{victimOther}", "", new[] { 401, 204, 403, 404, 403 } },
        new object[] { "DELETE", "/api/v1/users/{victimHome}", "", new[] { 401, 204, 403, 204, 403 } },
        new object[] { "GET", "/api/v1/audit-logs", "", new[] { 401, 200, 200, 200, 403 } },
        new object[] { "GET", "/health/live", "", new[] { 200, 200, 200, 200, 200 } },
        new object[] { "GET", "/openapi/v1.json", "", new[] { 200, 200, 200, 200, 200 } },
    ];

    private static readonly string[] Roles = ["ANONYMOUS", "PLATFORM_ADMIN", "SUPPORT", "TENANT_ADMIN", "USER"];

    [TestCaseSource(nameof(Routes))]
    public async Task Each_role_gets_the_contracted_status(string method, string path, string body, int[] expected)
    {
        var failures = new List<string>();
        for (var i = 0; i < Roles.Length; i++)
        {
            // Fresh targets per role so one role's delete doesn't change the next role's answer.
            var empty = await CreateTenantAsync();
            var url = path.Replace("{other}", _other.Id.ToString()).Replace("{home}", _home.Id.ToString())
                .Replace("{empty}", empty.Id.ToString()).Replace("{otherUser}", _otherUser.Id.ToString())
                .Replace("{homeUser}", _homeUser.Id.ToString());
            if (url.Contains("{victimOther}")) url = url.Replace("{victimOther}", (await CreateUserAsync("USER", _other.Id)).Id.ToString());
            if (url.Contains("{victimHome}")) url = url.Replace("{victimHome}", (await CreateUserAsync("USER", _home.Id)).Id.ToString());
            var json = body.Replace("{slug}", Unique("m")).Replace("{home}", _home.Id.ToString());
            var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (json.Length > 0) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            var response = await _clients[Roles[i]].SendAsync(request);
            if ((int)response.StatusCode != expected[i])
                failures.Add($"{Roles[i]}: expected {expected[i]}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            else if (expected[i] >= 400)
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"{Roles[i]} {method} {url}");
        }
        Assert.That(failures, Is.Empty);
    }
}
