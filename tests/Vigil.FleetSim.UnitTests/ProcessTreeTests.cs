using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class ProcessTreeTests(BusyFleetRun run)
{
    [Fact]
    public void EveryParentWasExecutedEarlierOnTheSameHostOrIsLaunchd()
    {
        var executed = new Dictionary<(string Host, string Entity), TelemetryEvent>();
        foreach (var e in run.Outcome.Events.Where(EventShapes.IsExec))
        {
            var parent = e.Process.Parent;
            var parentIsLaunchd = parent.Pid == 1 && parent.Name == "launchd" && parent.Executable == "/sbin/launchd";
            Assert.True(parentIsLaunchd || executed.ContainsKey((e.Host.Id, parent.EntityId)),
                $"{e.Process.Name} on {e.Host.Name} has parent {parent.Name} ({parent.EntityId}) that never started");
            executed[(e.Host.Id, e.Process.EntityId)] = e;
        }
    }

    [Fact]
    public void ParentFieldsRepeatTheParentsOwnExec()
    {
        var executed = run.Outcome.Events.Where(EventShapes.IsExec).ToDictionary(e => (e.Host.Id, e.Process.EntityId));

        Assert.All(run.Outcome.Events.Where(e => e.Process.Parent.Pid != 1), e =>
        {
            var parent = executed[(e.Host.Id, e.Process.Parent.EntityId)].Process;
            Assert.Equal(parent.Pid, e.Process.Parent.Pid);
            Assert.Equal(parent.Name, e.Process.Parent.Name);
            Assert.Equal(parent.Executable, e.Process.Parent.Executable);
            Assert.Equal(parent.CommandLine, e.Process.Parent.CommandLine);
            Assert.Equal(parent.CodeSignature, e.Process.Parent.CodeSignature);
        });
    }

    [Fact]
    public void EveryEventComesFromAProcessThatStartedOnItsHostAndHadNotExited()
    {
        var running = new HashSet<(string, string)>();
        foreach (var e in run.Outcome.Events)
        {
            var key = (e.Host.Id, e.Process.EntityId);
            if (EventShapes.IsExec(e))
            {
                Assert.True(running.Add(key), $"{e.Process.Name} started twice");
                continue;
            }

            Assert.True(running.Contains(key), $"{e.Event.Action} by {e.Process.Name} on {e.Host.Name} before its exec or after its exit");
            if (EventShapes.Of(e) == ("process", "end", "end"))
            {
                running.Remove(key);
            }
        }
    }

    [Fact]
    public void EntityIdsBelongToOneHostAndOneImage()
    {
        var owners = run.Outcome.Events.Where(EventShapes.IsExec)
            .GroupBy(e => e.Process.EntityId)
            .ToList();

        Assert.All(owners, g => Assert.Single(g.Select(e => (e.Host.Id, e.Process.Executable)).Distinct()));
    }

    [Fact]
    public void LaunchdIsPidOneOnEveryHostWithItsOwnEntityId()
    {
        var launchdByHost = run.Outcome.Events.Where(e => e.Process.Parent.Pid == 1)
            .GroupBy(e => e.Host.Id)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Process.Parent.EntityId).Distinct().ToList());

        Assert.All(launchdByHost.Values, ids => Assert.Single(ids));
        Assert.Equal(launchdByHost.Count, launchdByHost.Values.Select(ids => ids[0]).Distinct().Count());
    }

    [Fact]
    public void XpcServicesNameTheAppTheyServeAsEffectiveParent()
    {
        var webContent = run.Outcome.Events.Where(e => e.Process.Name == "com.apple.WebKit.WebContent").ToList();

        Assert.NotEmpty(webContent);
        Assert.All(webContent, e =>
        {
            Assert.Equal("launchd", e.Process.Parent.Name);
            Assert.Equal("Safari", e.Process.Ext.EffectiveParent.Name);
        });
    }
}
