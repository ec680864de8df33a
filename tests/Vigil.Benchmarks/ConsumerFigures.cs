namespace Vigil.Benchmarks;

/// <summary>
/// What one consumer process measured of itself after warm-up: events, wall time, its own CPU time (all threads,
/// librdkafka's included), the bytes its managed code allocated, and how many methods the JIT compiled meanwhile (tier-1
/// recompilation of methods called a few times per batch or per alert goes on through a second pass over the topic), the
/// CPU the tiered-compilation worker spent meanwhile (part of <see cref="CpuSeconds"/>), how many warm-up passes
/// over the topic the process made before the measured one, and the bytes of its allocation that grew the decoder's
/// reusable buffers, and how long the GC paused the process. A child that measured several passes reports the one with
/// the median CPU per event (its GC pause time too), with the allocation and GC counts of the pass with the median
/// allocation per event, and every pass's CPU, allocation, decoder growth per event and GC pause time in the order they
/// ran.
/// </summary>
internal sealed record ConsumerFigures(string Kind, long Events, double Seconds, double CpuSeconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, double StartupSeconds, long JitMethods = 0, double JitCpuSeconds = 0, int WarmupPasses = 0, long DecoderGrowthBytes = 0, double[]? CpuMicrosByPass = null, double[]? AllocatedBytesByPass = null, double[]? DecoderGrowthBytesByPass = null, double GcPauseSeconds = 0, double[]? GcPauseMillisecondsByPass = null)
{
    public double EventsPerSecond => Events / Seconds;

    public double CpuMicrosPerEvent => CpuSeconds * 1e6 / Events;

    public double AllocatedBytesPerEvent => AllocatedBytes / (double)Events;

    /// <summary>
    /// Of <see cref="AllocatedBytesPerEvent"/>, what the decoder allocated growing its reusable buffers in the window
    /// (<see cref="Vigil.Contracts.Decoding.DecoderBuffers"/>): a one-off per process and batch size, not a cost per event.
    /// </summary>
    public double DecoderGrowthBytesPerEvent => DecoderGrowthBytes / (double)Events;

    /// <summary>Allocation per event without the decoder's buffer growth: what a consumer that has run a while allocates.</summary>
    public double SteadyAllocatedBytesPerEvent => (AllocatedBytes - DecoderGrowthBytes) / (double)Events;

    /// <summary>Events per second one core would sustain at this CPU cost.</summary>
    public double EventsPerCoreSecond => Events / CpuSeconds;

    /// <summary>The tiered-compilation worker's share of the window's CPU.</summary>
    public double JitCpuShare => CpuSeconds > 0 ? JitCpuSeconds / CpuSeconds : 0;
}
