using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>Raw agent formats are plain JSON on the wire, with no schema framing: the bytes go out as they are.</summary>
internal sealed class RawBytesEncoder : IRecordEncoder<byte[]>
{
    public byte[] Encode(byte[] message) => message;
}
