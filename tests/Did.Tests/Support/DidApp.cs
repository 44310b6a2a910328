using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Did.Tests.Support;

/// <summary>The real service in-process (WebApplicationFactory) on a fixture's own database.</summary>
public sealed class DidApp(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public const string AdminEmail = "root@platform.test";
    public const string AdminPassword = "root-password-123";

    public string ConnectionString { get; } = connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
        builder.UseSetting("DID_JWT_KEY", "test-signing-key-that-is-long-enough-0123456789");
        builder.UseSetting("DID_ADMIN_EMAIL", AdminEmail);
        builder.UseSetting("DID_ADMIN_PASSWORD", AdminPassword);
        builder.UseSetting("Auth:BcryptWorkFactor", "4");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Apply:WarmUp", "false"); // CPU the fixtures do not need; ApplyWarmUpTests cover it
        // Every fixture signs in many users from the one address the test server has; SignInTests set their own limits.
        builder.UseSetting("Auth:SignIn:AddressRequestsPerMinute", "100000");
        // Likewise every fixture's keys are first checked from that one address; RateLimitTests set their own limit.
        builder.UseSetting("Auth:ApiKeys:LookupsPerMinute", "100000");
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, TestClientAddress>());
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(k, v);
    }
}
