using System.Text.Json.Nodes;
using Dapper;
using Did.Tests.Apply;
using Did.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.GeneratedClient;

/// <summary>The served OpenAPI document is what SDKs are made from: a C# client generated from it with Kiota runs a
/// number's whole life against the service on a real port, from another process, and the apply reaches a switch.
/// A document change that breaks the lifecycle's calls fails the client's build, and so this test.</summary>
public sealed class GeneratedClientTests : ApplyFixtureBase
{
    private static readonly string[] LifecycleSteps =
        ["sign in", "tenant", "user", "import", "allocate", "assign", "preview", "apply", "unassign", "deallocate", "not found"];

    protected override bool ListensOnRealPort => true;

    private string BaseAddress =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    [OneTimeTearDown]
    public void PruneCache() => GeneratedClientCache.Prune();

    [Test]
    public async Task A_client_generated_from_the_served_document_runs_a_number_through_its_whole_life()
    {
        var build = await BuildAsync(await ServedDocumentAsync());
        Assert.That(build.Succeeded, Is.True, $"The generated client does not build with the lifecycle:\n{build.Errors}");

        var run = await ChildProcess.RunAsync("dotnet", [build.Program!, BaseAddress, DidApp.AdminEmail, DidApp.AdminPassword],
            GeneratedClientCache.RepositoryRoot);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Both);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Select(l => l[..l.IndexOf(':')]), Is.EqualTo(LifecycleSteps.Append("lifecycle")), run.Output);
        var number = lines.Single(l => l.StartsWith("import: ", StringComparison.Ordinal)).Split(' ')[1];
        await using var conn = await Db.OpenConnectionAsync();
        var row = await conn.QuerySingleAsync<(Guid Id, string Status)>("SELECT id, status FROM phone_numbers WHERE number = @number", new { number });
        Assert.That(row.Status, Is.EqualTo("QUARANTINED"));
        var actions = await conn.QueryAsync<string>(
            "SELECT action FROM audit_logs WHERE entity_id = @id ORDER BY at, id", new { id = row.Id });
        Assert.That(actions, Is.EqualTo(new[] { "ALLOCATE", "ASSIGN", "UNASSIGN", "DEALLOCATE" }));
        var applied = await conn.QuerySingleAsync<string>("SELECT status FROM apply_jobs ORDER BY started_at DESC LIMIT 1");
        Assert.That(applied, Is.EqualTo("SUCCEEDED"));
    }

    [Test]
    public async Task A_document_without_an_operation_the_lifecycle_calls_fails_the_client_build()
    {
        var document = JsonNode.Parse(await ServedDocumentAsync())!.AsObject();
        var paths = document["paths"]!.AsObject();
        var allocate = paths["/api/v1/dids/{id}/allocate"]!;
        paths.Remove("/api/v1/dids/{id}/allocate");
        paths["/api/v1/dids/{id}/hold"] = allocate;

        var build = await BuildAsync(document.ToJsonString());

        Assert.That(build.Succeeded, Is.False);
        Assert.That(build.Errors, Does.Contain("Program.cs").And.Contain("'Allocate'"));
    }

    private async Task<string> ServedDocumentAsync() =>
        GeneratedClientCache.WithoutServers(await Anonymous.GetStringAsync("/openapi/v1.json"));

    private static async Task<ClientBuild> BuildAsync(string document)
    {
        try
        {
            return await GeneratedClientCache.BuildAsync(await GeneratedClientCache.ClientForAsync(document));
        }
        catch (GeneratorUnavailableException e)
        {
            Assert.Fail(e.Message);
            throw;
        }
    }
}
