using Google.Protobuf;

namespace Vigil.Contracts.Decoding;

/// <summary>The selective parse of one message: each field is read or checked and skipped as its plan says.</summary>
internal static class SelectiveWalk
{
    /// <summary>Nesting past this is left to the generated parser, which enforces its own recursion limit (100).</summary>
    public const int MaxDepth = 64;

    public static void Walk(ReadOnlySpan<byte> bytes, MessagePlan plan, IMessage? target, ParseState state, int depth)
    {
        if (depth > MaxDepth)
        {
            throw SelectiveParseAbandoned.Instance;
        }

        var reader = new WireReader(bytes);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            var wireType = (int)(tag & 7);
            var field = plan.Field(tag >> 3);
            if (field is null || field.WireType != wireType)
            {
                if (field is not null && field.Reads)
                {
                    // A selected field in an unexpected wire type is an unknown field to the generated parser: leave it to it.
                    throw SelectiveParseAbandoned.Instance;
                }

                reader.Skip(wireType);
                continue;
            }

            if (field is FieldPlans.SkipString)
            {
                // Most fields of an event are skipped strings: checked here rather than through a virtual call each.
                Utf8Strings.Validate(reader.ReadLengthDelimited());
                continue;
            }

            field.Read(ref reader, target, state, depth);
        }
    }
}
