using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// Starts loading an object's first cache lines ahead of its use. A handler reads each record of a batch well after the
/// consume thread decoded it, on another core, and by then the batch's messages (megabytes of them) have left that
/// core's caches: each first touch of an event's sub-messages waits for memory. Issued a few records ahead, the loads
/// overlap with the work on the records before. A prefetch never faults and changes nothing: if the collector moved the
/// object meanwhile, it only loaded lines no one reads.
/// </summary>
public static class CachePrefetch
{
    public const int LineBytes = 64;

    /// <summary>Starts loading the first <paramref name="lines"/> cache lines of <paramref name="target"/>, if any.</summary>
    public static unsafe void Object(object? target, int lines = 1)
    {
        if (Sse.IsSupported && target is not null)
        {
            var address = (byte*)Unsafe.As<object, nint>(ref target);
            for (var i = 0; i < lines; i++)
            {
                Sse.Prefetch0(address + (i * LineBytes));
            }
        }
    }
}
