using Vigil.Adapters;
using Vigil.Testing;

namespace Vigil.Agent.IntegrationTests;

/// <summary>vigil-agent with stand-in eslogger and nettop, publishing to the embedded broker.</summary>
public sealed class AgentPublishingTests
{
    private const string HostId = "MAC-C02XK1ABJG5H";

    // session.jsonl has 23 lines; a read-only close, a non-quarantine attribute removal, setextattr and stat are no event.
    private const int EsloggerEvents = 19;

    [Fact]
    public async Task ProcessFileAndNetworkEventsArrivePublishedByHostWithTheSameProcessEntityIds()
    {
        await using var broker = new EmbeddedKafkaBroker();
        var topics = new TestTopics(broker, "agent");
        await topics.CreateAsync();
        using var directory = TemporaryDirectory.Create("vigil-agent");
        await using (await AgentHarness.StartAsync(topics, directory.Path, StandIns.Eslogger(directory.Path), StandIns.Nettop(directory.Path)))
        {
            // curl's connection opens and closes, Chrome's opens: three network events besides the eslogger ones.
            var records = topics.ReadAll(topics.Telemetry, EsloggerEvents + 3, TimeSpan.FromSeconds(60));
            var events = AgentHarness.Decode(records);
            Assert.All(records, r => Assert.Equal(HostId, System.Text.Encoding.UTF8.GetString(r.Message.Key!)));
            Assert.All(events, e => Assert.Equal(HostId, e.Host.Id));
            Assert.All(events, e => Assert.Equal("alice-mbp", e.Host.Name));

            var exec = Assert.Single(events, e => e.Event.Action == "exec" && e.Process.Name == "curl");
            Assert.Equal(EsloggerEntityIds.For(HostId, 812, 2002), exec.Process.EntityId);
            var started = Assert.Single(events, e => e.Event.Action == "connection_attempted" && e.Process.Pid == 812);
            Assert.Equal(exec.Process.EntityId, started.Process.EntityId);
            Assert.Equal(exec.Process.CommandLine, started.Process.CommandLine);
            Assert.Equal("203.0.113.50", started.Destination.Ip);
            Assert.Equal(443, started.Destination.Port);
            Assert.Equal("https", started.Network.Protocol);
            var ended = Assert.Single(events, e => e.Event.Action == "disconnect_received");
            Assert.Equal(exec.Process.EntityId, ended.Process.EntityId);
            Assert.Equal(812, ended.Source.Bytes);
            Assert.Equal(53120, ended.Destination.Bytes);

            // A process that started before the agent has no audit token on record: named, not given an invented id.
            var chrome = Assert.Single(events, e => e.Event.Action == "connection_attempted" && e.Process.Pid == 4410);
            Assert.Equal("Google Chrome He", chrome.Process.Name);
            Assert.Equal("", chrome.Process.EntityId);
            Assert.Equal("ipv6", chrome.Network.Type);
            Assert.Equal("2606:4700::6810:84e5", chrome.Destination.Ip);

            Assert.Contains(events, e => e.Event.Action == "extended_attributes_delete");
            Assert.Contains(events, e => e.Event.Action == "launch_daemon");
        }

        var arguments = await File.ReadAllTextAsync(Path.Combine(directory.Path, "eslogger.args"), TestContext.Current.CancellationToken);
        Assert.StartsWith("exec fork exit create write close rename open unlink deleteextattr btm_launch_item_add", arguments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventsBufferedWhileKafkaIsUnreachableSurviveARestartAndArePublishedWhenItReturns()
    {
        await using var broker = new EmbeddedKafkaBroker();
        var topics = new TestTopics(broker, "agent-buffer");
        await topics.CreateAsync();
        using var directory = TemporaryDirectory.Create("vigil-agent");
        var bufferDirectory = Path.Combine(directory.Path, "buffer");
        for (var id = 1; id <= 3; id++)
        {
            broker.Cluster.SetBrokerDown(id);
        }

        await using (await AgentHarness.StartAsync(topics, directory.Path, StandIns.Eslogger(directory.Path), nettop: null, "--Kafka:Producer:MessageTimeoutMs=1500"))
        {
            await Eventually.TrueAsync(() => BufferedEvents(bufferDirectory) == EsloggerEvents, TimeSpan.FromSeconds(30), "the session to be buffered on disk");

            // Let at least one publish attempt time out against the unreachable brokers.
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            Assert.Equal(EsloggerEvents, BufferedEvents(bufferDirectory));
        }

        // The agent is gone; what it could not deliver is still on disk.
        Assert.Equal(EsloggerEvents, BufferedEvents(bufferDirectory));
        for (var id = 1; id <= 3; id++)
        {
            broker.Cluster.SetBrokerUp(id);
        }

        // A restarted agent (whose eslogger prints nothing new) drains the buffer.
        var quiet = Path.Combine(directory.Path, "quiet");
        Directory.CreateDirectory(quiet);
        await using (await AgentHarness.StartAsync(topics, directory.Path, StandIns.Eslogger(quiet, fixture: null), nettop: null))
        {
            var events = AgentHarness.Decode(topics.ReadAll(topics.Telemetry, EsloggerEvents, TimeSpan.FromSeconds(60)));
            Assert.Equal(EsloggerEvents, events.Select(e => e.Event.Id).Distinct().Count());
            await Eventually.TrueAsync(() => BufferedEvents(bufferDirectory) == 0, TimeSpan.FromSeconds(30), "the buffer to be empty");
        }
    }

    /// <summary>
    /// Events on disk. The running agent seals its open segment (renames ".open" to ".seg") whenever the publisher
    /// asks for one, so a file listed here can be gone by the time it is read: the listing is then taken again.
    /// </summary>
    private static int BufferedEvents(string directory)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (!Directory.Exists(directory))
            {
                return 0;
            }

            try
            {
                return Directory.GetFiles(directory).Sum(f => DiskBuffer.Read(f).Count);
            }
            catch (FileNotFoundException) when (attempt < 20)
            {
                // A segment was sealed or drained between listing and reading.
            }
        }
    }
}
