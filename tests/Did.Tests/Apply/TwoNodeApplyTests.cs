using System.Net;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>Two nodes deployed by reload (<see cref="TwoNodeLiveDeltaTests"/>: by live delta).</summary>
public sealed class TwoNodeApplyTests : ApplyFixtureBase
{
    protected override int NodeCount => 2;
    protected override int? LiveDeltaMaxChanges => 0;

    [Test]
    public async Task Both_nodes_get_the_same_files_and_are_verified()
    {
        await RouteAnotherNumberAsync();
        var job = await ApplyOkAsync();
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"));
        Assert.That(LiveFiles(0), Is.EqualTo(LiveFiles(1)));
        var names = job.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.That(names, Does.Contain("verify:node0").And.Contain("verify:node1"));
    }

    [Test]
    public async Task One_failing_node_rolls_back_every_node()
    {
        await ApplyOkAsync();
        var before0 = LiveFiles(0);
        var before1 = LiveFiles(1);
        var reloads0 = Nodes[0].CountActions("Reload");
        await RouteAnotherNumberAsync();
        Nodes[1].Faults.FailReload = true;
        var response = await PostApply();
        var job = await Job(response);
        Assert.That((int)response.StatusCode, Is.EqualTo(502));
        Assert.That(Status(job), Is.AnyOf("ROLLED_BACK", "FAILED"));
        Assert.That(LiveFiles(0), Is.EqualTo(before0), "the healthy node is rolled back too");
        Assert.That(LiveFiles(1), Is.EqualTo(before1));
        Assert.That(Nodes[0].CountActions("Reload"), Is.EqualTo(reloads0 + 2), "node0: reload with the new file, then with the restored one");
    }
}
