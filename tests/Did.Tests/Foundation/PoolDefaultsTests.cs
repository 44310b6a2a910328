using Did.Infrastructure.Data;
using Microsoft.Extensions.Configuration;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class PoolDefaultsTests
{
    private static NpgsqlConnectionStringBuilder Apply(string connectionString, Dictionary<string, string?>? settings = null)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        DatabaseSetup.ApplyPoolDefaults(csb, connectionString, new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build());
        return csb;
    }

    [Test]
    public void A_silent_connection_string_gets_four_connections_per_core_and_at_least_eight()
    {
        var csb = Apply("Host=db;Username=did");
        Assert.That(csb.MaxPoolSize, Is.EqualTo(Math.Max(8, 4 * Environment.ProcessorCount)));
        Assert.That(csb.Timeout, Is.EqualTo(30));
        Assert.That(csb.MaxAutoPrepare, Is.EqualTo(128));
        Assert.That(csb.NoResetOnClose, Is.True);
    }

    [Test]
    public void A_reset_on_close_asked_for_in_the_connection_string_is_kept()
    {
        Assert.That(Apply("Host=db;No Reset On Close=false").NoResetOnClose, Is.False);
        Assert.That(Apply("Host=db;NoResetOnClose=false").NoResetOnClose, Is.False);
    }

    [Test]
    public void The_pool_size_in_the_connection_string_wins()
    {
        Assert.That(Apply("Host=db;Maximum Pool Size=7", new() { ["Database:MaxPoolSize"] = "3" }).MaxPoolSize, Is.EqualTo(7));
        Assert.That(Apply("Host=db;MaxPoolSize=9").MaxPoolSize, Is.EqualTo(9));
    }

    [Test]
    public void Database_MaxPoolSize_sets_the_default()
    {
        Assert.That(Apply("Host=db", new() { ["Database:MaxPoolSize"] = "12" }).MaxPoolSize, Is.EqualTo(12));
    }
}
