using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// One thread's reusable messages of one <see cref="MessagePlan"/>: those handed out since the last release are taken
/// back at <see cref="Release"/> and handed out again, their selected fields cleared when they are. A completed or detached event is
/// never taken back (it is kept: its fields are its own); the pooled sub-messages it dropped when it completed or
/// detached are. At most <see cref="MaxTracked"/> messages are tracked between releases (a reader that never releases just
/// allocates), so memory stays bounded.
/// </summary>
internal sealed class MessagePool(Func<IMessage> create, Action<IMessage> reset)
{
    public const int MaxTracked = 16_384;

    // Arrays of a struct, not of IMessage: storing into an interface-typed array runs a covariance check per store.
    private Slot[] free = new Slot[64];
    private Slot[] handedOut = new Slot[64];
    private int freeCount;
    private int handedOutCount;

    // Messages the pool has handed out or holds for reuse, and the most it ever did (what it grew to).
    private int owned;
    private int mostOwned;

    public IMessage Rent()
    {
        IMessage message;
        while (true)
        {
            if (freeCount == 0)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                message = create();
                if (++owned > mostOwned)
                {
                    // The pool grows (its first batches, or a larger batch than any before), which it pays once; a
                    // message that replaces one a keeper took (or one forgotten) is a cost of the events instead.
                    mostOwned = owned;
                    DecoderBuffers.Grew(GC.GetAllocatedBytesForCurrentThread() - before);
                }

                break;
            }

            message = free[--freeCount].Message;
            free[freeCount] = default;
            if (message is TelemetryEvent { IsPartial: false } or TelemetryEvent { IsDetached: true })
            {
                // Completed or detached after its batch was handed back: its keeper owns it, so it is never reused.
                owned--;
                continue;
            }

            // Cleared here, not at release: the parse writes to it next, so it is read while in cache, and a batch's
            // messages are not walked once more at release (most of a release's cost, each of them out of cache by then).
            reset(message);
            if (freeCount > 0)
            {
                // The next rent's message, last touched a batch or two ago (megabytes of other memory in between): its
                // type check and reset waited for memory, most of the pools' cost in a profile of the consume loop. The
                // next rent comes about one record later, time enough for its first lines to arrive.
                CachePrefetch.Object(free[freeCount - 1].Message, 4);
            }

            break;
        }

        if (handedOutCount >= MaxTracked)
        {
            // Not released for too long: forget these (they are collected once unused), never reuse them.
            owned -= handedOutCount;
            Array.Clear(handedOut, 0, handedOutCount);
            handedOutCount = 0;
        }
        else if (handedOutCount == handedOut.Length)
        {
            Array.Resize(ref handedOut, handedOut.Length * 2);
            DecoderBuffers.Grew((long)handedOut.Length * IntPtr.Size);
        }

        handedOut[handedOutCount++].Message = message;
        return message;
    }

    /// <summary>
    /// Takes back every message handed out since the last release, without touching them: a completed or detached
    /// event among them is recognised (and dropped) when <see cref="Rent"/> comes to it, a reused one is cleared then.
    /// </summary>
    public void Release()
    {
        var taken = Math.Min(handedOutCount, MaxTracked - freeCount);
        owned -= handedOutCount - taken;
        if (taken > 0)
        {
            if (free.Length - freeCount < taken)
            {
                Array.Resize(ref free, Math.Max(free.Length * 2, freeCount + taken));
                DecoderBuffers.Grew((long)free.Length * IntPtr.Size);
            }

            Array.Copy(handedOut, 0, free, freeCount, taken);
            freeCount += taken;
        }

        Array.Clear(handedOut, 0, handedOutCount);
        handedOutCount = 0;
    }

    private struct Slot
    {
        public IMessage Message;
    }
}
