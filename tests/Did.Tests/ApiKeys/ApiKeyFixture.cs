using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Tests.Support;

namespace Did.Tests.ApiKeys;

/// <summary>Helpers of the API-key tests: create a key, and a client that sends it.</summary>
public abstract class ApiKeyFixture : ApiFixture
{
    public sealed record TestKey(Guid Id, string Secret, JsonElement Created);

    protected async Task<TestKey> CreateKeyAsync(HttpClient by, string role, Guid? tenantId, DateTimeOffset? expiresAt = null)
    {
        var body = await Expect(await by.PostAsJsonAsync("/api/v1/api-keys",
            new { name = Unique("key "), role, tenant_id = tenantId, expires_at = expiresAt }), HttpStatusCode.Created);
        return new TestKey(body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!, body);
    }

    protected HttpClient KeyClient(string secret) => KeyClient(App, secret);

    protected static HttpClient KeyClient(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, string secret)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    protected async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }
}
