using Google.Protobuf.Reflection;

namespace Vigil.Contracts.Decoding;

/// <summary>How a selective parse treats each field of one message type, by field number.</summary>
internal sealed class MessagePlan(MessageDescriptor descriptor, int id)
{
    private FieldPlan?[] fields = [];

    public MessageDescriptor Descriptor { get; } = descriptor;

    /// <summary>Index of this plan's <see cref="MessagePool"/> in a <see cref="ParseState"/>; -1 for a plan that only checks.</summary>
    public int Id { get; } = id;

    /// <summary>The fields this plan reads, cleared when a message goes back to its pool (<see cref="PlanBuilder.Resetter"/>).</summary>
    public List<FieldDescriptor> ReadFields { get; } = [];

    /// <summary>The plan of field <paramref name="number"/>, or null for a field the message type does not know.</summary>
    public FieldPlan? Field(uint number) => number < (uint)fields.Length ? fields[number] : null;

    public void Set(int number, FieldPlan plan)
    {
        if (plan.Reads)
        {
            ReadFields.Add(Descriptor.FindFieldByNumber(number));
        }

        if (number >= fields.Length)
        {
            Array.Resize(ref fields, number + 1);
        }

        fields[number] = plan;
    }
}
