using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// One thread's reusable messages of one <see cref="MessagePlan"/>: those handed out since the last release are taken
/// back at <see cref="Release"/>, their selected fields cleared, and handed out again. A completed or detached event is
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

    public IMessage Rent()
    {
        IMessage message;
        if (freeCount > 0)
        {
            message = free[--freeCount].Message;
            free[freeCount] = default;
        }
        else
        {
            message = create();
        }

        if (handedOutCount >= MaxTracked)
        {
            // Not released for too long: forget these (they are collected once unused), never reuse them.
            Array.Clear(handedOut, 0, handedOutCount);
            handedOutCount = 0;
        }
        else if (handedOutCount == handedOut.Length)
        {
            Array.Resize(ref handedOut, handedOut.Length * 2);
        }

        handedOut[handedOutCount++].Message = message;
        return message;
    }

    public void Release()
    {
        for (var i = 0; i < handedOutCount; i++)
        {
            var message = handedOut[i].Message;
            handedOut[i] = default;
            if (message is TelemetryEvent { IsPartial: false } or TelemetryEvent { IsDetached: true } || freeCount >= MaxTracked)
            {
                continue;
            }

            reset(message);
            if (freeCount == free.Length)
            {
                Array.Resize(ref free, free.Length * 2);
            }

            free[freeCount++].Message = message;
        }

        handedOutCount = 0;
    }

    private struct Slot
    {
        public IMessage Message;
    }
}
