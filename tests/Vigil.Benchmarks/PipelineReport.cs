namespace Vigil.Benchmarks;

/// <summary>Everything <see cref="PipelineBenchmark"/> measured in one run.</summary>
internal sealed record PipelineReport(
    IReadOnlyList<ServiceRow> Alone,
    TopologyRun Topology,
    int Partitions,
    double AverageRecordBytes,
    int Events,
    string LoadBefore,
    string LoadAfter,
    IReadOnlyList<string> Analytics,
    TopologySettings? Settings)
{
    public IReadOnlyList<RateStep> Steps => Topology.Steps;

    public IReadOnlyList<RateStep> BareSteps => Topology.BareSteps;
}
