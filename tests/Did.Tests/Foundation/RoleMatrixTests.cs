using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Did.Tests.Dids;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Each role against each route: allowed, or 401/403/404 as the contract says. Objects live in another
/// tenant than the tenant-scoped callers' own, so a tenant admin's "allowed" means "404: not yours to see". Every
/// refused change is checked to have changed nothing: the object it aimed at reads the same afterwards (or, for a
/// create, its table has no new row), and no audit row was written. Every allowed change writes exactly one audit row.
/// Applies run against a node without AMI, which only writes files. Every role is tried again as an API key of that
/// role, which must get the same answer, except that a key may not create keys.</summary>
public sealed class RoleMatrixTests : DidFixture
{
    private string _root = null!;
    private TestTenant _home = null!;
    private TestTenant _other = null!;
    private readonly Dictionary<string, HttpClient> _clients = new();
    private TestUser _otherUser = null!;
    private TestUser _homeUser = null!;
    private Guid _job;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Asterisk:ConfigDir"] = Path.Combine(_root, "asterisk"),
        ["Apply:WorkDir"] = Path.Combine(_root, "work"),
        ["Apply:TenantMinIntervalSeconds"] = "0", // a tenant admin applies, then its key does, in the same second
    };

    protected override Task BeforeServiceStartsAsync()
    {
        _root = Directory.CreateTempSubdirectory("did-role-matrix-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "asterisk"));
        return Task.CompletedTask;
    }

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
        await Expect(await Admin.PostAsync("/api/v1/apply", null), HttpStatusCode.OK);
        // A job that changed nothing of the home tenant: its tenant admin reads only the jobs its requests or its routes are in.
        _job = (await Expect(await Admin.PostAsync($"/api/v1/apply?tenant_id={_other.Id}", null), HttpStatusCode.OK)).GetProperty("id").GetGuid();
        foreach (var (caller, role) in Keys)
        {
            var created = await Expect(await Admin.PostAsJsonAsync("/api/v1/api-keys", new
            {
                name = caller, role, tenant_id = role is "TENANT_ADMIN" or "USER" ? _home.Id : (Guid?)null,
            }), HttpStatusCode.Created);
            var key = ClientWithToken(created.GetProperty("secret").GetString()!);
            // Its first use audits the address it comes from: done here, so the matrix counts only the routes' own rows.
            await Expect(await key.GetAsync("/api/v1/users"), HttpStatusCode.OK);
            _clients[caller] = key;
        }
    }

    [OneTimeTearDown]
    public void RemoveApplyFolders() => Directory.Delete(_root, recursive: true);

    private const string External = "{\"assigned_type\":\"EXTERNAL\",\"assigned_value\":\"Hangup()\"}";
    private const string OtherExternal = "{\"assigned_type\":\"EXTERNAL\",\"assigned_value\":\"Busy()\"}";

    /// <summary>A route with a rule on a schedule of the number's tenant.</summary>
    private const string RuledHome = "{\"assigned_type\":\"EXTERNAL\",\"assigned_value\":\"Hangup()\",\"rules\":[{\"schedule_id\":\"{homeSchedule}\",\"when\":\"CLOSED\",\"destination\":{\"type\":\"EXTERNAL\",\"value\":\"Busy()\"}}]}";

    private const string RuledOther = "{\"assigned_type\":\"EXTERNAL\",\"assigned_value\":\"Hangup()\",\"rules\":[{\"schedule_id\":\"{otherSchedule}\",\"when\":\"CLOSED\",\"destination\":{\"type\":\"EXTERNAL\",\"value\":\"Busy()\"}}]}";

    /// <summary>One route: the request, the expected status per role (anonymous, platform admin, support, tenant admin,
    /// user), and what to read to show that a refused request changed nothing: <paramref name="reread"/>, a GET of the
    /// object it aims at, or for a create, <paramref name="table"/>, whose rows are counted.</summary>
    private static object?[] Route(string method, string path, string body, int[] expected, string? reread = null, string? table = null) =>
        [method, path, body, expected, reread, table];

    private static readonly object?[][] Routes =
    [
        Route("GET", "/api/v1/tenants", "", [401, 200, 200, 200, 403]),
        Route("POST", "/api/v1/tenants", "{\"name\":\"N {slug}\",\"slug\":\"{slug}\"}", [401, 201, 403, 403, 403], table: "tenants"),
        Route("GET", "/api/v1/tenants/{other}", "", [401, 200, 200, 404, 403]),
        Route("GET", "/api/v1/tenants/{home}", "", [401, 200, 200, 200, 403]),
        Route("PATCH", "/api/v1/tenants/{other}", "{\"name\":\"Renamed {slug}\"}", [401, 200, 403, 403, 403], reread: "/api/v1/tenants/{other}"),
        Route("DELETE", "/api/v1/tenants/{empty}", "", [401, 204, 403, 403, 403], reread: "/api/v1/tenants/{empty}"),
        Route("GET", "/api/v1/users", "", [401, 200, 200, 200, 200]),
        Route("POST", "/api/v1/users", "{\"email\":\"{slug}@x.io\",\"password\":\"long-enough-pw\",\"display_name\":\"N\",\"role\":\"USER\",\"tenant_id\":\"{home}\"}",
            [401, 201, 403, 201, 403], table: "users"),
        Route("GET", "/api/v1/users/{otherUser}", "", [401, 200, 200, 404, 404]),
        Route("GET", "/api/v1/users/{homeUser}", "", [401, 200, 200, 200, 404]),
        Route("PATCH", "/api/v1/users/{otherUser}", "{\"display_name\":\"X {slug}\"}", [401, 200, 403, 404, 403], reread: "/api/v1/users/{otherUser}"),
        Route("PATCH", "/api/v1/users/{homeUser}", "{\"display_name\":\"Y {slug}\"}", [401, 200, 403, 200, 403], reread: "/api/v1/users/{homeUser}"),
        Route("DELETE", "/api/v1/users/{victimOther}", "", [401, 204, 403, 404, 403], reread: "/api/v1/users/{victimOther}"),
        Route("DELETE", "/api/v1/users/{victimHome}", "", [401, 204, 403, 204, 403], reread: "/api/v1/users/{victimHome}"),
        Route("GET", "/api/v1/audit-logs", "", [401, 200, 200, 200, 403]),

        Route("GET", "/api/v1/dids", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/dids/{homeDid}", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/dids/{otherDid}", "", [401, 200, 200, 404, 403]),
        Route("POST", "/api/v1/dids/import", "{\"dids\":[{\"number\":\"{newNumber}\",\"provider\":\"matrix\"}]}", [401, 201, 403, 403, 403],
            table: "phone_numbers"),
        Route("PATCH", "/api/v1/dids/{freeDid}/allocate", "{\"tenant_id\":\"{home}\"}", [401, 200, 403, 403, 403], reread: "/api/v1/dids/{freeDid}"),
        Route("PATCH", "/api/v1/dids/{homeDid}/deallocate", "", [401, 200, 403, 403, 403], reread: "/api/v1/dids/{homeDid}"),
        Route("POST", "/api/v1/dids/allocate", "{\"tenant_id\":\"{home}\",\"numbers\":[\"{freeNumber}\"]}", [401, 200, 403, 403, 403],
            reread: "/api/v1/dids/{freeDid}"),
        Route("POST", "/api/v1/dids/deallocate", "{\"numbers\":[\"{homeNumber}\"]}", [401, 200, 403, 403, 403], reread: "/api/v1/dids/{homeDid}"),
        Route("DELETE", "/api/v1/dids/{freeDid}", "", [401, 204, 403, 403, 403], reread: "/api/v1/dids/{freeDid}"),
        Route("POST", "/api/v1/dids/{quarantinedDid}/quarantine/end", "{\"reason\":\"matrix\"}", [401, 200, 403, 403, 403],
            reread: "/api/v1/dids/{quarantinedDid}"),

        Route("POST", "/api/v1/dids/{homeDid}/assign", External, [401, 201, 403, 201, 403], reread: "/api/v1/dids/{homeDid}"),
        Route("POST", "/api/v1/dids/{otherDid}/assign", External, [401, 201, 403, 404, 403], reread: "/api/v1/dids/{otherDid}"),
        Route("PUT", "/api/v1/dids/{homeRouted}/assign", OtherExternal, [401, 200, 403, 200, 403], reread: "/api/v1/dids/{homeRouted}"),
        Route("PUT", "/api/v1/dids/{otherRouted}/assign", OtherExternal, [401, 200, 403, 404, 403], reread: "/api/v1/dids/{otherRouted}"),
        Route("DELETE", "/api/v1/dids/{homeRouted}/assign", "", [401, 204, 403, 204, 403], reread: "/api/v1/dids/{homeRouted}"),
        Route("DELETE", "/api/v1/dids/{otherRouted}/assign", "", [401, 204, 403, 404, 403], reread: "/api/v1/dids/{otherRouted}"),

        Route("GET", "/api/v1/ivrs", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/ivrs/{homeIvr}", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/ivrs/{otherIvr}", "", [401, 200, 200, 404, 403]),
        Route("POST", "/api/v1/ivrs", "{\"name\":\"{slug}\",\"greeting\":\"g\",\"timeout_seconds\":5,\"tenant_id\":\"{home}\"}", [401, 201, 403, 201, 403],
            table: "ivrs"),
        Route("POST", "/api/v1/ivrs", "{\"name\":\"{slug}\",\"greeting\":\"g\",\"timeout_seconds\":5,\"tenant_id\":\"{other}\"}", [401, 201, 403, 404, 403],
            table: "ivrs"),
        Route("PATCH", "/api/v1/ivrs/{homeIvr}", "{\"greeting\":\"changed\"}", [401, 200, 403, 200, 403], reread: "/api/v1/ivrs/{homeIvr}"),
        Route("PATCH", "/api/v1/ivrs/{otherIvr}", "{\"greeting\":\"changed\"}", [401, 200, 403, 404, 403], reread: "/api/v1/ivrs/{otherIvr}"),
        Route("DELETE", "/api/v1/ivrs/{homeIvr}", "", [401, 204, 403, 204, 403], reread: "/api/v1/ivrs/{homeIvr}"),
        Route("DELETE", "/api/v1/ivrs/{otherIvr}", "", [401, 204, 403, 404, 403], reread: "/api/v1/ivrs/{otherIvr}"),

        Route("GET", "/api/v1/queues", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/queues/{homeQueue}", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/queues/{otherQueue}", "", [401, 200, 200, 404, 403]),
        Route("POST", "/api/v1/queues", "{queueBody:home}", [401, 201, 403, 201, 403], table: "queues"),
        Route("POST", "/api/v1/queues", "{queueBody:other}", [401, 201, 403, 404, 403], table: "queues"),
        Route("PATCH", "/api/v1/queues/{homeQueue}", "{\"strategy\":\"RANDOM\"}", [401, 200, 403, 200, 403], reread: "/api/v1/queues/{homeQueue}"),
        Route("PATCH", "/api/v1/queues/{otherQueue}", "{\"strategy\":\"RANDOM\"}", [401, 200, 403, 404, 403], reread: "/api/v1/queues/{otherQueue}"),
        Route("DELETE", "/api/v1/queues/{homeQueue}", "", [401, 204, 403, 204, 403], reread: "/api/v1/queues/{homeQueue}"),
        Route("DELETE", "/api/v1/queues/{otherQueue}", "", [401, 204, 403, 404, 403], reread: "/api/v1/queues/{otherQueue}"),

        Route("GET", "/api/v1/schedules", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/schedules/{homeSchedule}", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/schedules/{otherSchedule}", "", [401, 200, 200, 404, 403]),
        Route("POST", "/api/v1/schedules", "{\"name\":\"{slug}\",\"timezone\":\"UTC\",\"tenant_id\":\"{home}\"}", [401, 201, 403, 201, 403],
            table: "schedules"),
        Route("POST", "/api/v1/schedules", "{\"name\":\"{slug}\",\"timezone\":\"UTC\",\"tenant_id\":\"{other}\"}", [401, 201, 403, 404, 403],
            table: "schedules"),
        Route("PATCH", "/api/v1/schedules/{homeSchedule}", "{\"timezone\":\"Europe/Paris\"}", [401, 200, 403, 200, 403], reread: "/api/v1/schedules/{homeSchedule}"),
        Route("PATCH", "/api/v1/schedules/{otherSchedule}", "{\"timezone\":\"Europe/Paris\"}", [401, 200, 403, 404, 403], reread: "/api/v1/schedules/{otherSchedule}"),
        Route("DELETE", "/api/v1/schedules/{homeSchedule}", "", [401, 204, 403, 204, 403], reread: "/api/v1/schedules/{homeSchedule}"),
        Route("DELETE", "/api/v1/schedules/{otherSchedule}", "", [401, 204, 403, 404, 403], reread: "/api/v1/schedules/{otherSchedule}"),
        Route("POST", "/api/v1/dids/{homeDid}/assign", RuledHome, [401, 201, 403, 201, 403], reread: "/api/v1/dids/{homeDid}"),
        Route("PUT", "/api/v1/dids/{otherRouted}/assign", RuledOther, [401, 200, 403, 404, 403], reread: "/api/v1/dids/{otherRouted}"),

        Route("POST", "/api/v1/apply", "", [401, 200, 403, 200, 403], table: "apply_jobs"),
        Route("GET", "/api/v1/apply/jobs", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/apply/jobs/{job}", "", [401, 200, 200, 404, 403]),
        Route("GET", "/api/v1/routing/simulate?number={homeNumber}", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/routing/simulate?number={otherNumber}", "", [401, 200, 200, 404, 403]),

        Route("GET", "/api/v1/api-keys", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/api-keys/{homeKey}", "", [401, 200, 200, 200, 403]),
        Route("GET", "/api/v1/api-keys/{otherKey}", "", [401, 200, 200, 404, 403]),
        Route("POST", "/api/v1/api-keys", "{\"name\":\"{slug}\",\"role\":\"USER\",\"tenant_id\":\"{home}\"}", [401, 201, 403, 201, 403],
            table: "api_keys"),
        Route("POST", "/api/v1/api-keys", "{\"name\":\"{slug}\",\"role\":\"USER\",\"tenant_id\":\"{other}\"}", [401, 201, 403, 404, 403],
            table: "api_keys"),
        Route("DELETE", "/api/v1/api-keys/{homeKey}", "", [401, 204, 403, 204, 403], reread: "/api/v1/api-keys/{homeKey}"),
        Route("DELETE", "/api/v1/api-keys/{otherKey}", "", [401, 204, 403, 404, 403], reread: "/api/v1/api-keys/{otherKey}"),

        Route("GET", "/health/live", "", [200, 200, 200, 200, 200]),
        Route("GET", "/openapi/v1.json", "", [200, 200, 200, 200, 200]),
    ];

    private static readonly string[] Roles = ["ANONYMOUS", "PLATFORM_ADMIN", "SUPPORT", "TENANT_ADMIN", "USER"];

    /// <summary>An API key of each role (tenant keys in the home tenant), held to the contract of a signed-in user of
    /// that role, except that a key may not create keys: a 403 before anything else is looked at, where the person would
    /// have been let through or told the other tenant does not exist.</summary>
    private static readonly (string Caller, string Role)[] Keys =
        [("PLATFORM_ADMIN key", "PLATFORM_ADMIN"), ("SUPPORT key", "SUPPORT"), ("TENANT_ADMIN key", "TENANT_ADMIN"), ("USER key", "USER")];

    private static IEnumerable<(string Caller, int Expected)> Callers(string method, string path, int[] expected) =>
        Roles.Select((role, i) => (role, expected[i])).Concat(Keys.Select(k =>
            (k.Caller, method == "POST" && path == "/api/v1/api-keys" && expected[Array.IndexOf(Roles, k.Role)] is < 400 or 404
                ? 403 : expected[Array.IndexOf(Roles, k.Role)])));

    [TestCaseSource(nameof(Routes))]
    public async Task Each_role_gets_the_contracted_status_and_a_refused_change_changes_nothing(
        string method, string path, string body, int[] expected, string? reread, string? table)
    {
        var failures = new List<string>();
        foreach (var (caller, status) in Callers(method, path, expected))
        {
            // Fresh targets per role so one role's change doesn't change the next role's answer.
            var targets = new Targets(this);
            var url = (await targets.FillAsync(path)).Replace("number=+", "number=%2B", StringComparison.Ordinal);
            var json = await targets.FillAsync(body);
            var rereadUrl = reread is null ? null : await targets.FillAsync(reread);
            var before = method == "GET" ? null : await StateAsync(rereadUrl, table);

            var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (json.Length > 0) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            var response = await _clients[caller].SendAsync(request);

            var what = $"{caller} {method} {url}";
            if ((int)response.StatusCode != status)
            {
                failures.Add($"{what}: expected {status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                continue;
            }
            if (status >= 400)
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), what);
            if (before is null) continue;
            var after = await StateAsync(rereadUrl, table);
            if (status >= 400)
            {
                Assert.That(after.Object?.ToJsonString(), Is.EqualTo(before.Object?.ToJsonString()), $"{what} was refused: the object must read the same");
                Assert.That((after.Rows, after.AuditRows), Is.EqualTo((before.Rows, before.AuditRows)), $"{what} was refused: no new row, no audit row");
            }
            else if (path == "/api/v1/apply")
                Assert.That(after.AuditRows, Is.GreaterThanOrEqualTo(before.AuditRows + 1), $"{what} was allowed: the job's row, and one per tenant it changed");
            else
                Assert.That(after.AuditRows, Is.EqualTo(before.AuditRows + 1), $"{what} was allowed: one audit row");
        }
        Assert.That(failures, Is.Empty);
    }

    private sealed record State(JsonNode? Object, long Rows, long AuditRows);

    /// <summary>What a refused change must leave as it was: the object as the platform admin reads it (null once it is
    /// gone), the rows of the table a create would add to, and the audit rows.</summary>
    private async Task<State> StateAsync(string? rereadUrl, string? table)
    {
        JsonNode? read = null;
        if (rereadUrl is not null)
        {
            var response = await Admin.GetAsync(rereadUrl);
            if (response.StatusCode != HttpStatusCode.NotFound)
                read = JsonNode.Parse((await Expect(response, HttpStatusCode.OK)).GetRawText());
        }
        await using var conn = await Db.OpenConnectionAsync();
        var rows = table is null ? 0 : await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
        return new State(read, rows, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_logs"));
    }

    /// <summary>The objects a route's placeholders name, made when first named, fresh for each role.</summary>
    private sealed class Targets(RoleMatrixTests t)
    {
        private readonly Dictionary<string, string> _made = new();

        public async Task<string> FillAsync(string template)
        {
            var text = template.Replace("{home}", t._home.Id.ToString()).Replace("{other}", t._other.Id.ToString())
                .Replace("{otherUser}", t._otherUser.Id.ToString()).Replace("{homeUser}", t._homeUser.Id.ToString())
                .Replace("{job}", t._job.ToString());
            foreach (var name in new[]
                     {
                         "slug", "empty", "victimOther", "victimHome", "newNumber", "freeDid", "freeNumber", "homeDid", "homeNumber",
                         "otherDid", "otherNumber", "homeRouted", "otherRouted", "quarantinedDid", "homeIvr", "otherIvr", "homeQueue", "otherQueue", "queueBody:home",
                         "queueBody:other", "homeKey", "otherKey", "homeSchedule", "otherSchedule",
                     })
            {
                if (text.Contains($"{{{name}}}")) text = text.Replace($"{{{name}}}", await GetAsync(name));
            }
            return text;
        }

        private async Task<string> GetAsync(string name)
        {
            if (_made.TryGetValue(name, out var made)) return made;
            var value = name switch
            {
                "slug" => Unique("m"),
                "empty" => (await t.CreateTenantAsync()).Id.ToString(),
                "victimOther" => (await t.CreateUserAsync("USER", t._other.Id)).Id.ToString(),
                "victimHome" => (await t.CreateUserAsync("USER", t._home.Id)).Id.ToString(),
                "newNumber" => t.NewNumber(),
                "freeDid" or "freeNumber" => await NumberAsync(null, "freeDid", "freeNumber", name),
                "homeDid" or "homeNumber" => await NumberAsync(t._home.Id, "homeDid", "homeNumber", name),
                "otherDid" or "otherNumber" => await NumberAsync(t._other.Id, "otherDid", "otherNumber", name),
                "quarantinedDid" => await QuarantinedAsync(t._home.Id),
                "homeRouted" => await RoutedAsync(t._home.Id),
                "otherRouted" => await RoutedAsync(t._other.Id),
                "homeIvr" => await CreateAsync("/api/v1/ivrs", new { name = Unique("i"), greeting = "g", timeout_seconds = 5, tenant_id = t._home.Id }),
                "otherIvr" => await CreateAsync("/api/v1/ivrs", new { name = Unique("i"), greeting = "g", timeout_seconds = 5, tenant_id = t._other.Id }),
                "homeQueue" => await CreateAsync("/api/v1/queues", QueueBodies.Create(Unique("q"), t._home.Id)),
                "otherQueue" => await CreateAsync("/api/v1/queues", QueueBodies.Create(Unique("q"), t._other.Id)),
                "homeSchedule" => await CreateAsync("/api/v1/schedules", new { name = Unique("s"), timezone = "UTC", tenant_id = t._home.Id }),
                "otherSchedule" => await CreateAsync("/api/v1/schedules", new { name = Unique("s"), timezone = "UTC", tenant_id = t._other.Id }),
                "queueBody:home" => System.Text.Json.JsonSerializer.Serialize(QueueBodies.Create(Unique("q"), t._home.Id)),
                "queueBody:other" => System.Text.Json.JsonSerializer.Serialize(QueueBodies.Create(Unique("q"), t._other.Id)),
                "homeKey" => await CreateAsync("/api/v1/api-keys", new { name = Unique("k"), role = "USER", tenant_id = t._home.Id }),
                "otherKey" => await CreateAsync("/api/v1/api-keys", new { name = Unique("k"), role = "USER", tenant_id = t._other.Id }),
                _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown placeholder"),
            };
            return _made[name] = value;
        }

        /// <summary>A number (UNASSIGNED without a tenant, else ALLOCATED to it), known by two placeholders, its id and its
        /// E.164 text; returns the one <paramref name="asked"/> for.</summary>
        private async Task<string> NumberAsync(Guid? tenant, string idName, string numberName, string asked)
        {
            var number = (await t.SeedNumbersAsync(tenant))[0];
            _made[idName] = number.Id.ToString();
            _made[numberName] = number.Number;
            return _made[asked];
        }

        /// <summary>A number taken back from <paramref name="tenant"/>: QUARANTINED, remembering it.</summary>
        private async Task<string> QuarantinedAsync(Guid tenant)
        {
            var number = (await t.SeedNumbersAsync(tenant))[0];
            await Expect(await t.Admin.PatchAsync($"/api/v1/dids/{number.Id}/deallocate", null), HttpStatusCode.OK);
            return number.Id.ToString();
        }

        private async Task<string> RoutedAsync(Guid tenant)
        {
            var number = (await t.SeedNumbersAsync(tenant))[0];
            await Expect(await t.Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/assign", new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }),
                HttpStatusCode.Created);
            return number.Id.ToString();
        }

        private async Task<string> CreateAsync(string url, object body) =>
            (await Expect(await t.Admin.PostAsJsonAsync(url, body), HttpStatusCode.Created)).GetProperty("id").GetGuid().ToString();
    }
}
