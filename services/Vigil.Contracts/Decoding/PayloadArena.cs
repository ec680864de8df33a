namespace Vigil.Contracts.Decoding;

/// <summary>
/// Keeps copies of the payloads of selectively parsed messages, so each can be parsed whole later
/// (<see cref="Telemetry.TelemetryEvent.Complete"/>), in chunks that are reused once the owner of the messages says it
/// is done with them (<see cref="Release"/>: the consume loop, after a batch was handled). A chunk that is reused gets
/// a new generation, so completing a message whose payload was released fails loudly instead of reading another
/// record's bytes. Without releases nothing is reused: filled chunks are forgotten (collected with their messages) and
/// at most <see cref="MaxRetainedChunks"/> are remembered for reuse, so memory stays bounded either way.
/// </summary>
internal sealed class PayloadArena
{
    /// <summary>Below the large-object threshold, so chunks that are never reused are cheap garbage.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Chunks filled since the last release that are remembered for reuse: 16 MB, several batches of events.</summary>
    public const int MaxRetainedChunks = 256;

    private readonly Queue<PayloadChunk> filled = new();
    private readonly Stack<PayloadChunk> free = new();
    private PayloadChunk current = new(new byte[ChunkSize]);
    private int used;

    /// <summary>Copies <paramref name="payload"/> into the arena; <paramref name="copy"/> is the copy's bytes.</summary>
    public RetainedPayload Keep(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> copy)
    {
        if (payload.Length > ChunkSize / 4)
        {
            // Rare (events are about 1.3 KB): a copy of its own, never reused.
            var own = new PayloadChunk(payload.ToArray());
            copy = own.Bytes;
            return new RetainedPayload(own, 0, payload.Length, own.Generation);
        }

        if (ChunkSize - used < payload.Length)
        {
            filled.Enqueue(current);
            var forgot = filled.Count > MaxRetainedChunks;
            if (forgot)
            {
                filled.Dequeue();
            }

            if (free.Count > 0)
            {
                current = free.Pop();
            }
            else
            {
                current = new PayloadChunk(new byte[ChunkSize]);
                if (!forgot)
                {
                    // The arena grows (it will reuse this chunk); one that replaces a forgotten chunk is churn instead.
                    DecoderBuffers.Grew(ChunkSize);
                }
            }

            used = 0;
        }

        copy = current.Bytes.AsSpan(used, payload.Length);
        payload.CopyTo(current.Bytes.AsSpan(used));
        var kept = new RetainedPayload(current, used, payload.Length, current.Generation);
        used += payload.Length;
        return kept;
    }

    /// <summary>Every payload kept so far may be overwritten: the messages they belong to are done with (or complete).</summary>
    public void Release()
    {
        while (filled.TryDequeue(out var chunk))
        {
            chunk.Generation++;
            free.Push(chunk);
        }

        current.Generation++;
        used = 0;
    }
}
