namespace Vigil.Benchmarks;

/// <summary>How a rule's alerts are timed, which decides its latency target (docs/latency.md).</summary>
internal enum LatencyClass
{
    /// <summary>Reported once the events seen complete it: single-event rules, aggregations and sequences without until, missing-event steps or sample (target p50 ≤ 1 s).</summary>
    OnArrival,

    /// <summary>Reported when the watermark passes: sequences with until or missing-event steps, or a correlator with early reports off (target p99 ≤ lateness + 1 s).</summary>
    Watermark,

    /// <summary>The baseline's new-protocol alerts.</summary>
    Baseline,
}
