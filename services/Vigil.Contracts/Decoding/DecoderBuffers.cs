namespace Vigil.Contracts.Decoding;

/// <summary>
/// What the selective decoders of this process allocated growing the memory they reuse from batch to batch: payload
/// chunks (<see cref="PayloadArena"/>) and pooled messages with their tracking arrays (<see cref="MessagePool"/>). Each
/// decoder grows these to the largest batch it has held, so a process pays it once per batch size it meets (a consumer
/// whose batches grow from its normal size to its backlog limit allocates it again), not per event.
/// </summary>
/// <remarks>
/// For measurements: a benchmark window that includes such growth counts it as cost per event; this tells it apart.
/// Process-wide, as <see cref="GC.GetTotalAllocatedBytes"/> is.
/// </remarks>
public static class DecoderBuffers
{
    private static long grownBytes;

    /// <summary>Bytes allocated growing reusable decoder memory since the process started.</summary>
    public static long GrownBytes => Interlocked.Read(ref grownBytes);

    internal static void Grew(long bytes) => Interlocked.Add(ref grownBytes, bytes);
}
