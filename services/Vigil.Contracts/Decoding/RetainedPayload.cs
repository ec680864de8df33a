namespace Vigil.Contracts.Decoding;

/// <summary>Where a selectively parsed message's payload was kept, and the generation of its chunk at that time.</summary>
internal readonly struct RetainedPayload(PayloadChunk chunk, int offset, int length, int generation)
{
    /// <summary>The payload; throws when its chunk was released and may hold other bytes by now.</summary>
    public ReadOnlySpan<byte> Bytes => chunk.Generation == generation
        ? chunk.Bytes.AsSpan(offset, length)
        : throw new InvalidOperationException(
            "A selectively decoded event was completed or detached after the batch it came in was released: complete (TelemetryEvent.Complete) or detach (TelemetryEvent.Detach) an event before keeping it past its batch.");

    /// <summary>A payload in an array of its own, never released.</summary>
    public static RetainedPayload Own(byte[] bytes) => new(new PayloadChunk(bytes), 0, bytes.Length, 0);
}
