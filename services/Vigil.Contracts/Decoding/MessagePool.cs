using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// One thread's reusable messages of one <see cref="MessagePlan"/>: those handed out since the last release are taken
/// back at <see cref="Release"/>, their selected fields cleared, and handed out again. A completed event is never taken
/// back (it may be kept: its whole fields are its own); the selectively parsed sub-messages it dropped when it completed
/// are. At most <see cref="MaxTracked"/> messages are tracked between releases (a reader that never releases just
/// allocates), so memory stays bounded.
/// </summary>
internal sealed class MessagePool(Func<IMessage> create, Action<IMessage>[] resets)
{
    public const int MaxTracked = 16_384;

    private readonly Stack<IMessage> free = new();
    private readonly List<IMessage> handedOut = [];

    public IMessage Rent()
    {
        var message = free.Count > 0 ? free.Pop() : create();
        if (handedOut.Count >= MaxTracked)
        {
            // Not released for too long: forget these (they are collected once unused), never reuse them.
            handedOut.Clear();
        }

        handedOut.Add(message);
        return message;
    }

    public void Release()
    {
        foreach (var message in handedOut)
        {
            if (message is TelemetryEvent { IsPartial: false } || free.Count >= MaxTracked)
            {
                continue;
            }

            foreach (var reset in resets)
            {
                reset(message);
            }

            free.Push(message);
        }

        handedOut.Clear();
    }
}
