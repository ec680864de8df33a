using Google.Protobuf;

namespace Vigil.Contracts.Decoding;

/// <summary>What a selective parse does with one field of a message: read it into the message, or check and skip it.</summary>
internal abstract class FieldPlan(int wireType)
{
    /// <summary>The wire type the field is written with; a selected field seen with another is left to the generated parser.</summary>
    public int WireType { get; } = wireType;

    /// <summary>Whether the field is read into the message (false: skipped, only checked as the generated parser would).</summary>
    public abstract bool Reads { get; }

    /// <summary>Reads the field's value (its tag was read) into <paramref name="target"/>, or checks and skips it.</summary>
    public abstract void Read(ref WireReader reader, IMessage? target, ParseState state, int depth);
}
