using Google.Protobuf.Reflection;

namespace Vigil.Contracts.Decoding;

/// <summary>How a selective parse treats each field of one message type, by field number.</summary>
internal sealed class MessagePlan(MessageDescriptor descriptor)
{
    private FieldPlan?[] fields = [];

    public MessageDescriptor Descriptor { get; } = descriptor;

    /// <summary>The plan of field <paramref name="number"/>, or null for a field the message type does not know.</summary>
    public FieldPlan? Field(uint number) => number < (uint)fields.Length ? fields[number] : null;

    public void Set(int number, FieldPlan plan)
    {
        if (number >= fields.Length)
        {
            Array.Resize(ref fields, number + 1);
        }

        fields[number] = plan;
    }
}
