using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Support;

/// <summary>Base of HTTP integration fixtures: its own database and service, a signed-in platform admin, and helpers
/// that create tenants and users with unique names so tests don't depend on each other or on order.</summary>
public abstract class ApiFixture
{
    private static int _counter;

    protected DidApp App { get; private set; } = null!;
    protected HttpClient Admin { get; private set; } = null!;
    protected HttpClient Anonymous { get; private set; } = null!;

    /// <summary>Settings a fixture adds to the service's configuration.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>For fixtures that must start something (a fake switch) whose address goes into <see cref="Settings"/>.</summary>
    protected virtual Task BeforeServiceStartsAsync() => Task.CompletedTask;

    /// <summary>Serve on a real loopback port (Kestrel) instead of the in-memory server, for clients in another process.</summary>
    protected virtual bool ListensOnRealPort => false;

    [OneTimeSetUp]
    public async Task StartServiceAsync()
    {
        await BeforeServiceStartsAsync();
        App = new DidApp(await TestDatabase.CreateAsync(), Settings);
        if (ListensOnRealPort) App.UseKestrel(0);
        Anonymous = App.CreateClient();
        Admin = await SignInAsync(DidApp.AdminEmail, DidApp.AdminPassword);
    }

    [OneTimeTearDown]
    public async Task StopServiceAsync()
    {
        var cs = App.ConnectionString;
        await App.DisposeAsync();
        await TestDatabase.DropAsync(cs);
    }

    protected static string Unique(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}{Guid.NewGuid().ToString("N")[..6]}";

    protected NpgsqlDataSource Db => (NpgsqlDataSource)App.Services.GetService(typeof(NpgsqlDataSource))!;

    protected async Task<HttpClient> SignInAsync(string email, string password)
    {
        var response = await Anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        var body = await Expect(response, HttpStatusCode.OK);
        return ClientWithToken(body.GetProperty("access_token").GetString()!);
    }

    protected HttpClient ClientWithToken(string token)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client whose requests come from <paramref name="address"/> (see <see cref="TestClientAddress"/>).</summary>
    protected HttpClient ClientFrom(string address) =>
        App.CreateDefaultClient(new TestClientAddress.Handler(System.Net.IPAddress.Parse(address)));

    public sealed record TestTenant(Guid Id, string Slug, string Name);

    public sealed record TestUser(Guid Id, string Email, string Password, HttpClient Client, Guid? TenantId, string? Extension);

    protected async Task<TestTenant> CreateTenantAsync(string? slug = null)
    {
        slug ??= Unique("t");
        var name = $"Tenant {slug}";
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name, slug }), HttpStatusCode.Created);
        return new TestTenant(body.GetProperty("id").GetGuid(), slug, name);
    }

    protected async Task<TestUser> CreateUserAsync(string role, Guid? tenantId, string? extension = null, HttpClient? by = null)
    {
        var email = $"{Unique("u")}@example.com";
        const string password = "correct-horse-battery";
        var response = await (by ?? Admin).PostAsJsonAsync("/api/v1/users",
            new { email, password, display_name = $"User {email}", role, tenant_id = tenantId, extension });
        var body = await Expect(response, HttpStatusCode.Created);
        var client = await SignInAsync(email, password);
        return new TestUser(body.GetProperty("id").GetGuid(), email, password, client, tenantId, extension);
    }

    public sealed record TestNumber(Guid Id, string Number);

    /// <summary>Valid US numbers (+1 971 NXX XXXX), so the endpoints that read numbers with libphonenumber take them.</summary>
    private static long _nextNumber = 19712000000 + Random.Shared.Next(0, 600_000) * 10L;

    /// <summary>Puts numbers straight into the inventory (ALLOCATED to the tenant, or UNASSIGNED without one):
    /// arrangement for routing tests, which are not about importing.</summary>
    protected async Task<List<TestNumber>> SeedNumbersAsync(Guid? tenantId, int count = 1)
    {
        var numbers = Enumerable.Range(0, count).Select(_ => (Id: Guid.CreateVersion7(), Number: "+" + Interlocked.Increment(ref _nextNumber))).ToList();
        await using var conn = await Db.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO phone_numbers (id, number, status, tenant_id, provider)
            SELECT id, number, CASE WHEN @tenant::uuid IS NULL THEN 'UNASSIGNED' ELSE 'ALLOCATED' END, @tenant, 'seed'
            FROM unnest(@ids, @numbers) AS x(id, number)
            """, conn);
        cmd.Parameters.AddWithValue("tenant", (object?)tenantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("ids", numbers.Select(n => n.Id).ToArray());
        cmd.Parameters.AddWithValue("numbers", numbers.Select(n => n.Number).ToArray());
        await cmd.ExecuteNonQueryAsync();
        return numbers.Select(n => new TestNumber(n.Id, n.Number)).ToList();
    }

    protected async Task<string> NumberStatusAsync(Guid id)
    {
        await using var conn = await Db.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT status FROM phone_numbers WHERE id = @id", conn);
        cmd.Parameters.AddWithValue("id", id);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Asserts the status (and problem+json for errors) and returns the parsed body (default when empty).</summary>
    protected static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered: {text}");
        if ((int)status >= 400)
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    protected static Task<HttpResponseMessage> SendJson(HttpClient client, HttpMethod method, string url, string json) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    protected static Task<HttpResponseMessage> Patch(HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body);
}
