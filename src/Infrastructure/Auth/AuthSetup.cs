using Dapper;
using Did.Infrastructure.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Did.Infrastructure.Auth;

public static class AuthSetup
{
    public static IServiceCollection AddDidAuth(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<AuthOptions>(config.GetSection("Auth"));
        var key = JwtKey.FromConfiguration(config);
        services.AddSingleton(key);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<PasswordHasher>();
        services.AddHttpContextAccessor();
        services.AddScoped<RequestContext>();

        var auth = config.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
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

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.PlatformAdmin, p => p.RequireRole(ApiJson.Name(Role.PlatformAdmin)))
            .AddPolicy(Policies.Reader, p => p.RequireRole(ApiJson.Name(Role.PlatformAdmin), ApiJson.Name(Role.Support), ApiJson.Name(Role.TenantAdmin)))
            .AddPolicy(Policies.TenantManager, p => p.RequireRole(ApiJson.Name(Role.PlatformAdmin), ApiJson.Name(Role.TenantAdmin)))
            .AddPolicy(Policies.Authenticated, p => p.RequireAuthenticatedUser());
        return services;
    }

    /// <summary>A token dies with its user: deleted, or role, tenant or password changed (each rotates the stamp).
    /// One primary-key lookup per request buys that guarantee.</summary>
    private static async Task CheckUserStillMatches(TokenValidatedContext ctx)
    {
        var p = ctx.Principal!;
        if (!Guid.TryParse(p.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var id)
            || !Guid.TryParse(p.FindFirst(Claims.Stamp)?.Value, out var stamp))
        {
            ctx.Fail("malformed token");
            return;
        }
        var db = ctx.HttpContext.RequestServices.GetRequiredService<NpgsqlDataSource>();
        await using var conn = await db.OpenConnectionAsync(ctx.HttpContext.RequestAborted);
        var current = await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "SELECT security_stamp FROM users WHERE id = @id", new { id }, cancellationToken: ctx.HttpContext.RequestAborted));
        if (current != stamp) ctx.Fail("user changed or deleted");
    }
}
