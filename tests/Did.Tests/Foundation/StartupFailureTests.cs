using Did.Infrastructure.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Which start-up exceptions become one line, and what the line says. The process-level cases are in
/// <see cref="ProcessStartTests"/>; these are the database answers a test cluster does not give.</summary>
public sealed class StartupFailureTests
{
    private static readonly IConfiguration Config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = "Host=db.example;Port=6432;Username=did_app;Password=hunter2-secret;Database=did_prod",
    }).Build();

    private static PostgresException Postgres(string sqlState, string message) => new(message, "FATAL", "FATAL", sqlState);

    [Test]
    public void A_refused_password_names_server_and_user_but_not_the_password()
    {
        var failure = StartupFailure.From(Postgres(PostgresErrorCodes.InvalidPassword, "password authentication failed for user \"did_app\""), Config);

        Assert.That(failure!.ExitCode, Is.EqualTo(StartupFailure.ExitConfiguration));
        Assert.That(failure.Line, Does.StartWith("Did cannot start: PostgreSQL at db.example:6432 refused user 'did_app'"));
        Assert.That(failure.Line, Does.Contain("Password").And.Not.Contain("hunter2"));
    }

    [Test]
    public void A_missing_database_says_how_to_create_it()
    {
        var failure = StartupFailure.From(Postgres(PostgresErrorCodes.InvalidCatalogName, "database \"did_prod\" does not exist"), Config);

        Assert.That(failure!.Line, Does.Contain("createdb -h db.example -p 6432 -U did_app did_prod"));
    }

    [Test]
    public void A_user_without_the_privileges_the_migrations_need_is_told_to_own_the_database()
    {
        var failure = StartupFailure.From(Postgres(PostgresErrorCodes.InsufficientPrivilege, "permission denied for schema public"), Config);

        Assert.That(failure!.Line, Does.Contain("ALTER DATABASE \"did_prod\" OWNER TO \"did_app\""));
    }

    [Test]
    public void A_server_still_starting_is_unavailable_not_misconfigured()
    {
        var failure = StartupFailure.From(Postgres(PostgresErrorCodes.CannotConnectNow, "the database system is starting up"), Config);

        Assert.That(failure!.ExitCode, Is.EqualTo(StartupFailure.ExitUnavailable));
    }

    [Test]
    public void A_port_in_use_inside_an_aggregate_is_still_one_line()
    {
        var bind = new IOException("Failed to bind to address http://127.0.0.1:5080: address already in use.", new AddressInUseException("in use"));

        var failure = StartupFailure.From(new AggregateException(bind), Config);

        Assert.That(failure!.Line, Does.Contain("http://127.0.0.1:5080").And.Contain("ASPNETCORE_URLS"));
    }

    [Test]
    public void Any_other_exception_is_a_bug_and_keeps_its_stack_trace()
    {
        Assert.That(StartupFailure.From(new NullReferenceException(), Config), Is.Null);
        Assert.That(StartupFailure.From(Postgres(PostgresErrorCodes.UndefinedTable, "relation \"x\" does not exist"), Config), Is.Null);
    }
}
