using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Eql.UnitTests;

/// <summary>Evaluating conditions on protobuf events reads generated properties without allocating.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void CheckingWhetherAnEventIsRelevantAllocatesNothing()
    {
        var query = Run.Compile(InstallerNetworkRuleTests.Query);
        TelemetryEvent[] events =
        [
            InstallerNetworkRuleTests.InstallerShell(0),
            InstallerNetworkRuleTests.CurlConnects(1),
            Telemetry.Process("p", 2, "zsh"),
            Telemetry.Event("f", 3, "file"),
        ];
        foreach (var e in events)
        {
            query.IsRelevant(e);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var relevant = 0;
        for (var i = 0; i < 1000; i++)
        {
            foreach (var e in events)
            {
                relevant += query.IsRelevant(e) ? 1 : 0;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2000, relevant);
    }

    [Fact]
    public void AnIrrelevantEventCostsTheEngineNoAllocation()
    {
        var engine = new SequenceEngine<TelemetryEvent>(Run.Compile(InstallerNetworkRuleTests.Query));
        var state = engine.CreateState("host-1");
        var noise = Telemetry.Process("p", 2, "zsh");
        engine.Process(state, noise);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            engine.Process(state, noise);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
