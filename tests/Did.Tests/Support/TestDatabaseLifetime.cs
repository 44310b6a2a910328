using Did.Tests.Support;
using NUnit.Framework;

/// <summary>Outside any namespace so it wraps every fixture of the assembly: drops the template database
/// (and stops the container, if one was started) after the last test.</summary>
[SetUpFixture]
public sealed class TestDatabaseLifetime
{
    [OneTimeTearDown]
    public Task StopAsync() => TestDatabase.StopAsync();
}
