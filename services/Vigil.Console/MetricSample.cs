namespace Vigil.Console;

/// <summary>One sample of Prometheus' text exposition format: metric name, labels and value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.GetValueOrDefault(name, string.Empty);
}
