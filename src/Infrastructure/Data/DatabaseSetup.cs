using Dapper;
using Npgsql;

namespace Did.Infrastructure.Data;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Postgres";

    public static string ConnectionString(IConfiguration config) =>
        config.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "ConnectionStrings:Postgres is not set (env ConnectionStrings__Postgres). ./scripts/run.sh provisions one.");

    /// <summary>One pooled data source for the whole process; every slice opens connections from it.</summary>
    public static IServiceCollection AddDidDatabase(this IServiceCollection services, IConfiguration config)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var builder = new NpgsqlDataSourceBuilder(ConnectionString(config));
        builder.ConnectionStringBuilder.ApplicationName ??= "did";
        services.AddSingleton(builder.Build());
        return services;
    }
}
