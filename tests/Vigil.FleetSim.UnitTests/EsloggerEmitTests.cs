using System.Text;
using Vigil.Adapters;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

/// <summary>
/// --emit eslogger: the simulator's events written as eslogger lines and read back by the eslogger adapter keep their
/// kind, paths and process tree; events Endpoint Security has no form for get the adapter's process ids.
/// </summary>
public sealed class EsloggerEmitTests(BusyFleetRun run)
{
    private IReadOnlyList<TelemetryEvent> Events => run.Outcome.Events;

    [Fact]
    public void EveryEsloggerLineIsReadBackAsTheSameKindWithTheSameProcessAndFile()
    {
        var adapter = new EsloggerAdapter();
        var lines = 0;
        foreach (var e in Events)
        {
            if (EsloggerMessageWriter.ToLine(e) is not { } line)
            {
                continue;
            }

            lines++;
            var result = adapter.Adapt(new RawRecord(line, e.Host.Id, "sim"));
            Assert.Empty(result.Rejections);
            if (e.Event.Category[0] == "file" && e.Event.Action == "modification")
            {
                Assert.Equal("modification", Assert.Single(result.Events).Event.Action);
                continue;
            }

            var read = Assert.Single(result.Events);
            Assert.Equal(EventShapes.Of(e), EventShapes.Of(read));
            Assert.Equal(EsloggerMessageWriter.Reattributed(e).Process.EntityId, read.Process.EntityId);
            Assert.Equal(e.Process.Executable, read.Process.Executable);
            Assert.Equal(e.File?.Path ?? "", read.File?.Path ?? "");
            if (e.Event.Action == "exec")
            {
                Assert.Equal(e.Process.CommandLine, read.Process.CommandLine);
                Assert.Equal(e.Process.CodeSignature.Trusted, read.Process.CodeSignature.Trusted);
            }
        }

        Assert.True(lines > 1000, $"{lines} lines");
    }

    [Fact]
    public void NetworkEventsStayCanonicalWithTheProcessIdTheAdapterGivesTheirExec()
    {
        var adapter = new EsloggerAdapter();
        var execIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in Events.Where(e => e.Event.Action == "exec"))
        {
            execIds.Add(Assert.Single(adapter.Adapt(new RawRecord(EsloggerMessageWriter.ToLine(e)!, e.Host.Id, "sim")).Events).Process.EntityId);
        }

        var connections = Events.Where(e => e.Event.Action == "connection_attempted").ToList();
        Assert.All(connections, e => Assert.Null(EsloggerMessageWriter.ToLine(e)));
        var attributed = connections.Select(EsloggerMessageWriter.Reattributed).Count(e => execIds.Contains(e.Process.EntityId));
        Assert.True(attributed > connections.Count / 2, $"{attributed} of {connections.Count} connections come from a process whose exec was seen");
    }
}
