namespace Vigil.Contracts.Decoding;

/// <summary>Where a selectively parsed message's payload was kept, and the generation of its chunk at that time.</summary>
internal readonly struct RetainedPayload(PayloadChunk chunk, int offset, int length, int generation)
{
    /// <summary>The payload; throws when its chunk was released and may hold other bytes by now.</summary>
    public ReadOnlySpan<byte> Bytes => chunk.Generation == generation
        ? chunk.Bytes.AsSpan(offset, length)
        : throw new InvalidOperationException(
            "A selectively decoded event was completed after the batch it came in was released: complete an event (TelemetryEvent.Complete) before keeping it past its batch.");
}
