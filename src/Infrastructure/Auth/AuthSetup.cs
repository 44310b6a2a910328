using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Did.Infrastructure.Auth;

public static class AuthSetup
{
    private const string BearerOrKey = "BearerOrKey";

    public static IServiceCollection AddDidAuth(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<AuthOptions>().Bind(config.GetSection("Auth"))
            .Validate(o => o.HashingConcurrency >= 1 && o.HashingQueueLimit >= 0 && o.HashingWaitMilliseconds >= 0,
                "Auth:HashingConcurrency must be at least 1, Auth:HashingQueueLimit and Auth:HashingWaitMilliseconds at least 0.")
            .ValidateOnStart();
        var key = JwtKey.FromConfiguration(config);
        services.AddSingleton(key);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<HashingSlots>();
        services.AddSingleton<PasswordHasher>();
        services.AddHostedService<PasswordHasherWarmUp>();
        services.AddHttpContextAccessor();
        services.AddScoped<RequestContext>();
        var stampCache = TimeSpan.FromSeconds(config.GetValue<int?>("Auth:StampCacheSeconds") ?? 60);
        services.AddSingleton(sp => new SecurityStamps(sp.GetRequiredService<NpgsqlDataSource>(), stampCache));
        services.AddDidApiKeys(config);
        services.AddHostedService<AuthChangeListener>();

        var auth = config.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        // One bearer header, two kinds of credential: "did_..." is an API key, anything else a JWT.
        services.AddAuthentication(BearerOrKey)
            .AddPolicyScheme(BearerOrKey, null, o => o.ForwardDefaultSelector = http =>
                ApiKeyAuthentication.TryReadBearer(http.Request.Headers.Authorization.ToString(), out _)
                    ? ApiKeyAuthentication.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                IssuerSigningKey = key.Key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
                RoleClaimType = Claims.Role,
                NameClaimType = JwtRegisteredClaimNames.Sub,
            };
            o.Events = new JwtBearerEvents { OnTokenValidated = CheckUserStillMatches };
        });
        var tokenCacheSize = config.GetValue<int?>("Auth:TokenCacheSize") ?? 10_000;
        services.AddSingleton(sp => new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, tokenCacheSize,
            sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<ValidatedTokenCache>((o, cache) =>
        {
            o.TokenHandlers.Clear();
            o.TokenHandlers.Add(cache);
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.PlatformAdmin, p => p.RequireRole(ApiJson.Name(Role.PlatformAdmin)))
            .AddPolicy(Policies.Reader, p => p.RequireRole(ApiJson.Name(Role.PlatformAdmin), ApiJson.Name(Role.Support), ApiJson.Name(Role.TenantAdmin)))
            .AddPolicy(Policies.TenantManager, p => p.RequireRole(ApiJson.Name(Role.PlatformAdmin), ApiJson.Name(Role.TenantAdmin)))
            .AddPolicy(Policies.Authenticated, p => p.RequireAuthenticatedUser());
        return services;
    }

    /// <summary>API keys (<c>Auth:ApiKeys:*</c>): their lookup and cache, what a use records, and the limit on checks
    /// of keys not in memory.</summary>
    private static void AddDidApiKeys(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ApiKeyOptions>().Bind(config.GetSection("Auth:ApiKeys")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptions.Check>();
        services.AddSingleton<ApiKeyLookup>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddSingleton<ApiKeyLookupLimiter>();
        services.AddHostedService<ApiKeyUsageFlush>();
        ConstraintMessages.Register("ux_api_keys_secret", "An API key with this secret already exists; create the key again.");
        ConstraintMessages.Register("ck_api_keys_expiry", "expires_at must be later than the key's creation.");
        ConstraintMessages.Register("ck_api_keys_role_tenant", "Platform roles have no tenant; tenant roles need one.");
        ConstraintMessages.Register("ck_api_keys_name", "name must not be blank.");
        ConstraintMessages.Register("fk_api_keys_tenant", "The tenant does not exist.");
        ConstraintMessages.Register("fk_api_keys_creator", "Only a signed-in person can create an API key.");
    }

    /// <summary>A token dies with its user: deleted, or role, tenant or password changed (each rotates the stamp).
    /// The stamp comes from memory while the database's change notifications are being heard, else from the database
    /// (<see cref="SecurityStamps"/>).</summary>
    private static async Task CheckUserStillMatches(TokenValidatedContext ctx)
    {
        var p = ctx.Principal!;
        if (!Guid.TryParse(p.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var id)
            || !Guid.TryParse(p.FindFirst(Claims.Stamp)?.Value, out var stamp))
        {
            ctx.Fail("malformed token");
            return;
        }
        var current = await ctx.HttpContext.RequestServices.GetRequiredService<SecurityStamps>()
            .CurrentAsync(id, ctx.HttpContext.RequestAborted);
        if (current != stamp) ctx.Fail("user changed or deleted");
    }
}
