using Prometheus;

namespace Vigil.Testing;

/// <summary>
/// Metric factories over a registry of their own, for parts a test builds without a host: what they count stays
/// theirs, as a host's metrics stay the host's.
/// </summary>
public static class IsolatedMetrics
{
    /// <summary>A factory over a new, empty registry.</summary>
    public static IMetricFactory Factory() => Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());
}
