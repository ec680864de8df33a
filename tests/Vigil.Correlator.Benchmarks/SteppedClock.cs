namespace Vigil.Correlator.Benchmarks;

/// <summary>A wall clock the benchmark moves by hand, so "quiet for the lateness" takes no real waiting.</summary>
internal sealed class SteppedClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
