namespace Vigil.Benchmarks;

/// <summary>Everything <see cref="PipelineBenchmark"/> measured in one run.</summary>
internal sealed record PipelineReport(
    IReadOnlyList<ServiceRow> Alone,
    IReadOnlyList<RateStep> Steps,
    IReadOnlyList<RateStep> BareSteps,
    int Partitions,
    double AverageRecordBytes,
    int Events,
    string LoadBefore,
    string LoadAfter,
    IReadOnlyList<string> Analytics,
    TopologySettings? Topology);
