using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>An apply fixture with a number that can be re-routed between two users of one tenant: a change of one line
/// in one existing context, the smallest change an apply can deploy.</summary>
public abstract class RoutedNumberFixtureBase : ApplyFixtureBase
{
    private TestUser _bob = null!;
    private bool _toBob;

    protected TestNumber Number { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task RouteOneNumber()
    {
        _bob = await CreateUserAsync("USER", Acme.Id, "1002");
        Number = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{Number.Id}/assign", new { assigned_type = "USER", assigned_id = Alice.Id }), HttpStatusCode.Created);
        // Bob is reached by a number of his own too, so his lines stay whichever of the two the re-routed number reaches.
        var bobs = (await SeedNumbersAsync(Acme.Id))[0];
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{bobs.Id}/assign", new { assigned_type = "USER", assigned_id = _bob.Id }), HttpStatusCode.Created);
    }

    /// <summary>Deploys whatever is pending by a verified apply, so each node's state is known to the service (a reload
    /// the first time, or after a rollback).</summary>
    protected async Task KnownStateAsync()
    {
        await RouteAnotherNumberAsync();
        Assert.That(Status(await ApplyOkAsync()), Is.EqualTo("SUCCEEDED"));
    }

    /// <summary>Sends <see cref="Number"/> to the other of Alice and Bob: one line of its shard context changes. Returns the
    /// extension it now reaches.</summary>
    protected Task<string> ReassignAsync()
    {
        _toBob = !_toBob;
        return ReassignToAsync(_toBob ? _bob : Alice);
    }

    /// <summary>Sends <see cref="Number"/> to <paramref name="user"/>; returns the extension it now reaches.</summary>
    protected async Task<string> ReassignToAsync(TestUser user)
    {
        await Expect(await Admin.PutAsJsonAsync($"/api/v1/dids/{Number.Id}/assign", new { assigned_type = "USER", assigned_id = user.Id }), HttpStatusCode.OK);
        return user.Extension!;
    }

    /// <summary>The priorities node <paramref name="node"/> runs for <paramref name="number"/>.</summary>
    protected FakePriority[] Installed(string number, int node = 0) =>
        [.. Nodes[node].Dialplan.Contexts.Values.SelectMany(c => c.Extensions).Single(e => e.Name == number).Priorities];
}
