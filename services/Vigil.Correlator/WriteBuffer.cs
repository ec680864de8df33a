using System.Numerics;

namespace Vigil.Correlator;

/// <summary>
/// One spare byte array kept for the next state write (its plan). A correlator writes one
/// batch at a time, so one spare is enough; a second write at the same time (a cluster's per-slot calls) allocates. The
/// shared <see cref="System.Buffers.ArrayPool{T}"/> was missed on about every write of large batches (rented on one
/// thread-pool thread, returned on another, its per-thread slots held by idle threads), so each miss allocated
/// hundreds of kilobytes on the large-object heap: 14 % of an0994's allocation.
/// </summary>
internal sealed class WriteBuffer
{
    // A spare larger than this (a rare huge batch) is not kept, so the spare stays small next to the states in memory.
    private const int MaxKept = 16 << 20;

    private byte[]? spare;

    /// <summary>An array of at least <paramref name="length"/> bytes: the spare if it is large enough, else a new one.</summary>
    public byte[] Rent(int length)
    {
        var array = Interlocked.Exchange(ref spare, null);
        if (array is not null && array.Length >= length)
        {
            return array;
        }

        // Grown in powers of two, so a batch a little larger than the last does not allocate again.
        return GC.AllocateUninitializedArray<byte>(length <= 1 << 30 ? (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 256)) : length);
    }

    /// <summary>Keeps <paramref name="array"/> for the next write; only once nothing reads it any more.</summary>
    public void Return(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length <= MaxKept)
        {
            Volatile.Write(ref spare, array);
        }
    }
}
