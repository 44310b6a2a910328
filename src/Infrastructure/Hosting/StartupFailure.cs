using Microsoft.AspNetCore.Connections;
using Npgsql;

namespace Did.Infrastructure.Hosting;

/// <summary>A start-up failure that the operator can fix, as the one line the service prints instead of a stack trace:
/// what is wrong and what to set or do. Nothing from a connection string but its host, port, database and user is ever
/// put in the line.</summary>
public sealed record StartupFailure(string Reason, int ExitCode)
{
    /// <summary>A setting is missing or wrong (sysexits' EX_CONFIG): starting again will not help until it is fixed.</summary>
    public const int ExitConfiguration = 78;

    /// <summary>Something the service needs is not available now (sysexits' EX_UNAVAILABLE): the database does not answer,
    /// the port is taken. Starting again later may work.</summary>
    public const int ExitUnavailable = 69;

    public string Line => $"Did cannot start: {Reason}";

    /// <summary>The failure an operator can fix, or null for anything else (a bug, which keeps its stack trace).</summary>
    public static StartupFailure? From(Exception exception, IConfiguration config) => exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } one => From(one.InnerExceptions[0], config),
        InvalidSettingException setting => new(setting.Message, ExitConfiguration),
        IOException { InnerException: AddressInUseException } bind => new(
            $"{bind.Message.TrimEnd('.')}: another process listens there. Stop it, or set ASPNETCORE_URLS to a free address " +
            "(e.g. http://127.0.0.1:5081).", ExitUnavailable),
        PostgresException pg => FromPostgres(pg, DatabaseSettings.From(config)),
        NpgsqlException npgsql => FromNpgsql(npgsql, DatabaseSettings.From(config)),
        _ => null,
    };

    private static StartupFailure? FromPostgres(PostgresException e, DatabaseSettings db) => e.SqlState switch
    {
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification => new(
            $"PostgreSQL at {db.Where} refused user '{db.User}' ({e.MessageText}). Correct Username and Password (or Passfile) " +
            "in ConnectionStrings__Postgres.", ExitConfiguration),
        PostgresErrorCodes.InvalidCatalogName => new(
            $"database '{db.Name}' does not exist on PostgreSQL at {db.Where}. Create it " +
            $"(createdb -h {db.Host} -p {db.Port} -U {db.User} {db.Name}), or correct Database in ConnectionStrings__Postgres.",
            ExitConfiguration),
        PostgresErrorCodes.InsufficientPrivilege => new(
            $"user '{db.User}' lacks a privilege the service needs on database '{db.Name}' ({e.MessageText}). Make it the " +
            $"database's owner (ALTER DATABASE \"{db.Name}\" OWNER TO \"{db.User}\"), or connect as the owner.", ExitConfiguration),
        PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.TooManyConnections => new(
            $"PostgreSQL at {db.Where} does not accept connections now ({e.MessageText}). Start again when it does.",
            ExitUnavailable),
        _ when e.SqlState.StartsWith("08", StringComparison.Ordinal) => new(
            $"PostgreSQL at {db.Where} refused the connection ({e.MessageText}). Check ConnectionStrings__Postgres.",
            ExitUnavailable),
        _ => null,
    };

    private static StartupFailure FromNpgsql(NpgsqlException e, DatabaseSettings db) => e.InnerException switch
    {
        System.Net.Sockets.SocketException or TimeoutException or IOException => new(
            $"PostgreSQL at {db.Where} is unreachable ({e.InnerException.Message}). Start it, or correct Host and Port in " +
            "ConnectionStrings__Postgres.", ExitUnavailable),
        _ => new($"PostgreSQL at {db.Where} refused the connection ({e.Message}). Check ConnectionStrings__Postgres " +
            "(a password needs Password or Passfile).", ExitConfiguration),
    };

    /// <summary>Where the configured connection string points, without its secrets.</summary>
    private sealed record DatabaseSettings(string Host, int Port, string Name, string User)
    {
        public string Where => $"{Host}:{Port}";

        public static DatabaseSettings From(IConfiguration config)
        {
            try
            {
                var csb = new NpgsqlConnectionStringBuilder(config.GetConnectionString(Data.DatabaseSetup.ConnectionStringName));
                var user = csb.Username ?? Environment.UserName;
                return new(csb.Host ?? "(no host)", csb.Port, csb.Database ?? user, user);
            }
            catch (ArgumentException)
            {
                return new("(unparsable connection string)", 0, "?", "?");
            }
        }
    }
}
