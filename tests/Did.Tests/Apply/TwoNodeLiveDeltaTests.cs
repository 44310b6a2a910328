using NUnit.Framework;

namespace Did.Tests.Apply;

public sealed class TwoNodeLiveDeltaTests : RoutedNumberFixtureBase
{
    protected override int NodeCount => 2;

    [Test]
    public async Task Both_nodes_get_the_delta_and_are_verified()
    {
        await KnownStateAsync();
        var extension = await ReassignAsync();

        var job = await ApplyOkAsync();

        var steps = JobSteps(job);
        Assert.That(steps.Keys, Does.Contain("delta:node0").And.Contain("delta:node1").And.Contain("verify:node0").And.Contain("verify:node1"));
        Assert.That(steps.Keys, Does.Not.Contain("reload:node0").And.Not.Contain("reload:node1"));
        Assert.That(LiveFiles(0), Is.EqualTo(LiveFiles(1)));
        for (var node = 0; node < 2; node++)
            Assert.That(Installed(Number.Number, node)[0].AppData, Is.EqualTo($"tenant-acme,{extension},1"), $"node{node}");
    }

    [Test]
    public async Task One_node_refusing_its_delta_rolls_back_every_node()
    {
        await KnownStateAsync();
        var before = new[] { LiveFiles(0), LiveFiles(1) };
        var running = new[] { Installed(Number.Number, 0), Installed(Number.Number, 1) };
        await ReassignAsync();
        Nodes[1].Faults.RefuseLiveChangesAfter = Nodes[1].LiveChanges;

        var response = await PostApply();
        var job = await Job(response);

        Assert.That((int)response.StatusCode, Is.EqualTo(502), job.ToString());
        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        Assert.That(JobSteps(job)["delta:node0"].Status, Is.EqualTo("OK"), "node0 took the delta before node1 refused it");
        for (var node = 0; node < 2; node++)
        {
            Assert.That(LiveFiles(node), Is.EqualTo(before[node]), $"node{node}'s files");
            Assert.That(Installed(Number.Number, node), Is.EqualTo(running[node]), $"node{node} runs what it ran before");
        }
    }
}
