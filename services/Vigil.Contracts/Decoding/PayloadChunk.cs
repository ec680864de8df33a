namespace Vigil.Contracts.Decoding;

/// <summary>A buffer of <see cref="PayloadArena"/>; its generation moves on each time its bytes may be overwritten.</summary>
internal sealed class PayloadChunk(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    public int Generation { get; set; }
}
