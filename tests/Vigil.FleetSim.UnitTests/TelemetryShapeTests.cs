using Vigil.Contracts;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class TelemetryShapeTests(BusyFleetRun run)
{
    private IReadOnlyList<TelemetryEvent> Events => run.Outcome.Events;

    [Fact]
    public void EveryEventHasAKindFromTheContractTable()
    {
        var kinds = Events.Select(EventShapes.Of).Distinct().ToList();

        Assert.All(kinds, kind => Assert.Contains(kind, EventShapes.Allowed));
        Assert.Contains(("library", "start", "script_load"), kinds);
        Assert.Contains(("file", "change", "rename"), kinds);
    }

    [Fact]
    public void EveryEventCarriesIdentityHostUserAndAgent()
    {
        Assert.All(Events, e =>
        {
            Assert.NotEqual(0, e.Timestamp);
            Assert.NotEmpty(e.Event.Id);
            Assert.True(e.Event.Sequence > 0);
            Assert.NotEmpty(e.Host.Id);
            Assert.NotEmpty(e.Host.Name);
            Assert.Equal("macos", e.Host.Os.Type);
            Assert.NotEmpty(e.User.Name);
            Assert.NotEmpty(e.User.Id);
            Assert.Equal("endpoint", e.Agent.Type);
            Assert.NotEmpty(e.Process.EntityId);
            Assert.NotEmpty(e.Process.Executable);
        });
    }

    [Fact]
    public void EventIdsAreUnique()
    {
        Assert.Equal(Events.Count, Events.Select(e => e.Event.Id).Distinct().Count());
    }

    [Fact]
    public void EachHostsSequenceIncreasesWithTime()
    {
        foreach (var host in Events.GroupBy(e => e.Host.Id))
        {
            var ordered = host.ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i - 1].Event.Sequence < ordered[i].Event.Sequence);
                Assert.True(ordered[i - 1].Timestamp <= ordered[i].Timestamp);
            }
        }
    }

    [Fact]
    public void ProcessFieldsAreConsistent()
    {
        Assert.All(Events, e =>
        {
            Assert.Equal(e.Process.Args.Count, e.Process.ArgsCount);
            Assert.Equal(string.Join(' ', e.Process.Args), e.Process.CommandLine);
            Assert.Equal(Path.GetFileName(e.Process.Executable), e.Process.Name);
            Assert.NotEmpty(e.Process.WorkingDirectory);
            Assert.NotNull(e.Process.CodeSignature);
        });
    }

    [Fact]
    public void UsersLiveUnderUsersAndRootRunsDaemons()
    {
        var people = Events.Where(e => e.User.Id != "0").ToList();
        var daemons = Events.Where(e => e.User.Id == "0").ToList();

        Assert.All(people, e => Assert.True(e.User.Id is "501" or "502"));
        Assert.Contains(people, e => e.Process.WorkingDirectory == $"/Users/{e.User.Name}");
        Assert.All(daemons, e => Assert.Equal("root", e.User.Name));
        Assert.Contains(daemons, e => e.Process.Name == "softwareupdated");
    }

    [Fact]
    public void ApplePlatformBinariesAreTrustedWithoutATeamAndThirdPartyAppsCarryTheirTeam()
    {
        var curl = Events.First(e => e.Process.Name == "curl").Process.CodeSignature;
        var chrome = Events.First(e => e.Process.Name == "Google Chrome").Process.CodeSignature;

        Assert.Equal(("com.apple.curl", "", true, true), (curl.SigningId, curl.TeamId, curl.Trusted, curl.Exists));
        Assert.Equal(("com.google.Chrome", "EQHXZ8M8AV", true), (chrome.SigningId, chrome.TeamId, chrome.Trusted));
        Assert.Contains("Google LLC (EQHXZ8M8AV)", chrome.SubjectName, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkEventsDescribeTheFlowAndEndsCarryByteCounts()
    {
        var connects = Events.Where(EventShapes.IsConnect).ToList();
        var ends = Events.Where(EventShapes.IsDisconnect).ToList();

        Assert.NotEmpty(connects);
        Assert.All(connects.Concat(ends), e =>
        {
            Assert.Equal("tcp", e.Network.Transport);
            Assert.Equal("egress", e.Network.Direction);
            Assert.NotEmpty(e.Destination.Ip);
            Assert.True(e.Destination.Port > 0);
            Assert.InRange(e.Source.Port, 49152, 65535);
        });
        Assert.All(ends, e =>
        {
            Assert.True(e.Source.Bytes > 0);
            Assert.True(e.Destination.Bytes > 0);
        });
        Assert.Contains(connects, e => e.Network.Protocol == "https" && e.Destination.Domain.Length > 0);
    }

    [Fact]
    public void EveryConnectionEndFollowsItsStartFromTheSameProcessAndPort()
    {
        // Ephemeral ports are reused over a long run, so an end pairs with the open flow of its 4-tuple.
        var open = new Dictionary<(string, string, long, string), TelemetryEvent>();
        foreach (var e in Events.Where(e => e.Source is not null))
        {
            var flow = (e.Host.Id, e.Process.EntityId, e.Source.Port, e.Destination.Ip);
            if (EventShapes.IsConnect(e))
            {
                Assert.True(open.TryAdd(flow, e), "a flow started twice before ending");
            }
            else if (EventShapes.IsDisconnect(e))
            {
                Assert.True(open.Remove(flow, out var start), "a flow ended without starting");
                Assert.True(EventShapes.Precedes(start, e));
                Assert.Equal(start.Destination.Port, e.Destination.Port);
                Assert.Equal(start.Network.Protocol, e.Network.Protocol);
            }
        }
    }

    [Fact]
    public void TheBenignFleetProducesTheNewEventKindsWithTheFieldsElasticsRulesTest()
    {
        Assert.All(Events.Where(e => e.Event.Action == "lookup_result"), e => Assert.NotEmpty(e.Dns.ResolvedIp));
        var daemon = Assert.Single(Events.Where(e => e.Event.Action == "launch_daemon").Take(1));
        Assert.StartsWith("/Library/LaunchDaemons/", daemon.Persistence.Path, StringComparison.Ordinal);
        Assert.True(daemon.Persistence.HasRunatload);
        Assert.Equal(daemon.Persistence.Path, daemon.File.Path);
        var tcc = Assert.Single(Events.Where(e => e.Event.Action == "tcc_modify").Take(1));
        Assert.NotEmpty(tcc.Tcc.Service);
        Assert.NotEmpty(tcc.EffectiveProcess.EntityId);
        var group = Assert.Single(Events.Where(e => e.Event.Action == "od_group_add").Take(1));
        Assert.NotEmpty(group.Group.Name);
        Assert.NotEmpty(group.User.Name);
        var overridden = Assert.Single(Events.Where(e => e.Event.Action == "gatekeeper_override").Take(1));
        Assert.Contains("/Downloads/", overridden.File.Path, StringComparison.Ordinal);

        // Benign quarantine removal is Apple's xattr, which Elastic's rule leaves out.
        Assert.All(Events.Where(e => e.Event.Action == "extended_attributes_delete"), e => Assert.Equal("/usr/bin/xattr", e.Process.Executable));
        Assert.Contains(Events, e => e.Event.Action == "extended_attributes_delete");
    }

    [Fact]
    public void DnsLookupsNameTheQuestion()
    {
        var lookups = Events.Where(e => EventShapes.Of(e) == ("network", "protocol", "lookup_requested")).ToList();

        Assert.NotEmpty(lookups);
        Assert.All(lookups, e =>
        {
            Assert.NotEmpty(e.Dns.Question.Name);
            Assert.NotEmpty(e.Dns.ResolvedIp);
        });
    }

    [Fact]
    public void FileEventsSplitThePathAndLoadsNameTheLibrary()
    {
        Assert.All(Events.Where(e => e.Event.Category[0] == "file"), e =>
        {
            Assert.StartsWith("/", e.File.Path, StringComparison.Ordinal);
            Assert.Equal(Path.GetFileName(e.File.Path), e.File.Name);
            Assert.Equal(Path.GetDirectoryName(e.File.Path), e.File.Directory);
        });
        Assert.All(Events.Where(e => e.Event.Category[0] == "library"), e =>
        {
            Assert.Equal(Path.GetFileName(e.Dll.Path), e.Dll.Name);
            Assert.NotNull(e.Dll.CodeSignature);
        });
    }

    [Fact]
    public void BenignActivityFamiliesAllAppear()
    {
        var names = Events.Select(e => e.Process.Name).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "Safari", "com.apple.WebKit.WebContent", "Google Chrome Helper (Renderer)", "curl", "git", "python3", "ruby",
            "softwareupdated", "osascript", "com.apple.Automator.xpc.workflowServiceRunner", "sips", "Slack", "Microsoft Word",
        }, names);
        Assert.Contains(Events, e => e.Process.Name is "jamf" or "kandji-daemon" or "MosyleMDM");
        Assert.Contains(Events, e => e.Process.Name is "Dropbox" or "Google Drive" or "bztransmit");
        Assert.Contains(Events, e => EventShapes.IsFileCreate(e) && e.File.Path.Contains("/Downloads/", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryEmittedEventRoundTripsThroughEcsJson()
    {
        var mismatches = Events.Where(e => !e.Equals(EcsJson.Parse<TelemetryEvent>(EcsJson.Format(e)))).Select(e => e.Event.Id).ToList();

        Assert.Empty(mismatches);
    }
}
