using Google.Protobuf;

namespace Vigil.Contracts.Decoding;

/// <summary>The kinds of <see cref="FieldPlan"/>: skipping ones check what Google.Protobuf would check and keep nothing.</summary>
internal static class FieldPlans
{
    /// <summary>A skipped field of a scalar type (any wire type: one Google.Protobuf does not expect is an unknown field to it).</summary>
    public sealed class SkipValue() : FieldPlan(-1)
    {
        public override bool Reads => false;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            throw new InvalidOperationException("Skipped by wire type, never read.");
    }

    /// <summary>A skipped string: Google.Protobuf would reject invalid UTF-8 in it.</summary>
    public sealed class SkipString() : FieldPlan(WireReader.LengthDelimited)
    {
        public override bool Reads => false;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            Utf8Strings.Validate(reader.ReadLengthDelimited());
    }

    /// <summary>A skipped message: walked (not kept) so that what the generated parser would reject in it is rejected.</summary>
    public sealed class SkipMessage(MessagePlan check) : FieldPlan(WireReader.LengthDelimited)
    {
        public override bool Reads => false;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            SelectiveWalk.Walk(reader.ReadLengthDelimited(), check, null, state, depth + 1);
    }

    public sealed class String(Action<IMessage, string> set, int cache) : FieldPlan(WireReader.LengthDelimited)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            set(target!, state.Strings.Get(reader.ReadLengthDelimited(), cache));
    }

    public sealed class RepeatedString(Func<IMessage, ICollection<string>> list, int cache) : FieldPlan(WireReader.LengthDelimited)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            list(target!).Add(state.Strings.Get(reader.ReadLengthDelimited(), cache));
    }

    public sealed class Int64(Action<IMessage, long> set) : FieldPlan(WireReader.Varint)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            set(target!, (long)reader.ReadVarint64());
    }

    public sealed class Int32(Action<IMessage, int> set) : FieldPlan(WireReader.Varint)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            set(target!, (int)reader.ReadVarint64());
    }

    public sealed class Boolean(Action<IMessage, bool> set) : FieldPlan(WireReader.Varint)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            set(target!, reader.ReadVarint64() != 0);
    }

    public sealed class Double(Action<IMessage, double> set) : FieldPlan(WireReader.Fixed64)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            set(target!, BitConverter.Int64BitsToDouble((long)reader.ReadFixed64()));
    }

    public sealed class Float(Action<IMessage, float> set) : FieldPlan(WireReader.Fixed32)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth) =>
            set(target!, BitConverter.Int32BitsToSingle((int)reader.ReadFixed32()));
    }

    /// <summary>A message some of whose fields are selected: set on first sight (as the generated parser does; from the pool) and walked.</summary>
    public sealed class Message(MessagePlan plan, Func<IMessage, IMessage?> get, Action<IMessage, IMessage> set)
        : FieldPlan(WireReader.LengthDelimited)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth)
        {
            var bytes = reader.ReadLengthDelimited();
            var message = get(target!);
            if (message is null)
            {
                message = state.Pools[plan.Id].Rent();
                set(target!, message);
            }

            SelectiveWalk.Walk(bytes, plan, message, state, depth + 1);
        }
    }

    /// <summary>A message selected whole: parsed by its generated parser (merged, as a repeated occurrence would be).</summary>
    public sealed class WholeMessage(Func<IMessage, IMessage?> get, Action<IMessage, IMessage> set, Func<IMessage> create)
        : FieldPlan(WireReader.LengthDelimited)
    {
        public override bool Reads => true;

        public override void Read(ref WireReader reader, IMessage? target, ParseState state, int depth)
        {
            var bytes = reader.ReadLengthDelimited();
            if (depth > SelectiveWalk.MaxDepth)
            {
                throw SelectiveParseAbandoned.Instance;
            }

            var message = get(target!);
            if (message is null)
            {
                message = create();
                set(target!, message);
            }

            try
            {
                message.MergeFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                throw SelectiveParseAbandoned.Instance;
            }
        }
    }
}
