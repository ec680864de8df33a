using System.Text;
using Vigil.Eql.Documents;

namespace Vigil.Eql.Sequences;

/// <summary>
/// Writes a <see cref="HostState{TEvent}"/> as bytes and reads it back, for a store keyed by (rule, host).
/// </summary>
/// <remarks>
/// Layout (little-endian; "varint" is .NET's 7-bit encoded int; strings are a varint UTF-8 byte count then the bytes):
/// <code>
/// "VQS" 0x01                      magic and format version
/// string  query fingerprint       state is only valid for the query text that produced it
/// string  host id
/// varint  stage count
/// bool [int64]                    latest @timestamp seen (ns)
/// bool [int64]                    external watermark (ns)
/// bool [int64 int64 string]       last released position: @timestamp, event.sequence, event.id
/// varint  event count, then per event:
///         int64 @timestamp, int64 event.sequence, string event.id, uint64 satisfied-step bits, bool until,
///         varint length + event bytes (the codec's encoding)
/// varint  buffered count, then varint event index each (in release order)
/// varint  key count, then per key:
///         varint component count, then per component: bool present [string value]
///         per slot (stage count - 1 of them): varint event count (0 = empty), then varint event index each
/// </code>
/// Each event is stored once even when several partials hold it.
/// </remarks>
public sealed class HostStateSerializer<TEvent>(CompiledQuery<TEvent> query, IEventCodec<TEvent> codec)
{
    private static readonly byte[] Magic = "VQS"u8.ToArray();
    private const byte Version = 1;

    public byte[] Serialize(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(query.Fingerprint);
            writer.Write(state.HostId);
            writer.Write7BitEncodedInt(state.StageCount);
            WriteOptional(writer, state.LatestTimestamp);
            WriteOptional(writer, state.ExternalWatermark);
            writer.Write(state.LastReleased.HasValue);
            if (state.LastReleased is { } released)
            {
                writer.Write(released.Timestamp);
                writer.Write(released.Sequence);
                writer.Write(released.Id);
            }

            var table = new Dictionary<PendingEvent<TEvent>, int>(ReferenceEqualityComparer.Instance);
            var ordered = new List<PendingEvent<TEvent>>();
            void Collect(PendingEvent<TEvent> e)
            {
                if (table.TryAdd(e, ordered.Count))
                {
                    ordered.Add(e);
                }
            }

            state.Buffer.ForEach(Collect);
            foreach (var partial in state.Partials.Values.SelectMany(s => s).OfType<PartialSequence<TEvent>>())
            {
                partial.Events.ForEach(Collect);
            }

            writer.Write7BitEncodedInt(ordered.Count);
            foreach (var e in ordered)
            {
                writer.Write(e.Timestamp);
                writer.Write(e.Sequence);
                writer.Write(e.Id);
                writer.Write(e.Classification.Steps);
                writer.Write(e.Classification.Until);
                var bytes = codec.Encode(e.Document);
                writer.Write7BitEncodedInt(bytes.Length);
                writer.Write(bytes);
            }

            writer.Write7BitEncodedInt(state.Buffer.Count);
            state.Buffer.ForEach(e => writer.Write7BitEncodedInt(table[e]));
            writer.Write7BitEncodedInt(state.Partials.Count);
            foreach (var (key, slots) in state.Partials)
            {
                writer.Write7BitEncodedInt(key.Values.Count);
                foreach (var component in key.Values)
                {
                    writer.Write(component is not null);
                    if (component is not null)
                    {
                        writer.Write(component);
                    }
                }

                foreach (var slot in slots)
                {
                    writer.Write7BitEncodedInt(slot?.Events.Count ?? 0);
                    slot?.Events.ForEach(e => writer.Write7BitEncodedInt(table[e]));
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>Reads a state written by <see cref="Serialize"/>; throws <see cref="InvalidDataException"/> if it is malformed or belongs to another query.</summary>
    public HostState<TEvent> Deserialize(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || reader.ReadByte() != Version)
            {
                throw new InvalidDataException("Not a sequence state (bad magic or unknown version).");
            }

            var fingerprint = reader.ReadString();
            if (!string.Equals(fingerprint, query.Fingerprint, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The state was written for query {fingerprint}, not {query.Fingerprint}: discard it.");
            }

            var state = new HostState<TEvent>(reader.ReadString(), reader.Read7BitEncodedInt());
            if (state.StageCount != query.StageCount)
            {
                throw new InvalidDataException($"The state has {state.StageCount} stages but the query has {query.StageCount}.");
            }

            state.LatestTimestamp = ReadOptional(reader);
            state.ExternalWatermark = ReadOptional(reader);
            if (reader.ReadBoolean())
            {
                state.LastReleased = new EventPosition(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
            }

            var events = new PendingEvent<TEvent>[reader.Read7BitEncodedInt()];
            for (var i = 0; i < events.Length; i++)
            {
                var timestamp = reader.ReadInt64();
                var sequence = reader.ReadInt64();
                var id = reader.ReadString();
                var classification = new EventClassification(reader.ReadUInt64(), reader.ReadBoolean());
                var document = codec.Decode(reader.ReadBytes(reader.Read7BitEncodedInt()));
                events[i] = new PendingEvent<TEvent>(document, timestamp, sequence, id, classification);
            }

            var buffered = reader.Read7BitEncodedInt();
            for (var i = 0; i < buffered; i++)
            {
                state.Buffer.Add(events[reader.Read7BitEncodedInt()]);
            }

            var keys = reader.Read7BitEncodedInt();
            for (var k = 0; k < keys; k++)
            {
                var components = new string?[reader.Read7BitEncodedInt()];
                for (var c = 0; c < components.Length; c++)
                {
                    components[c] = reader.ReadBoolean() ? reader.ReadString() : null;
                }

                var slots = state.SlotsFor(new JoinKey(components));
                for (var s = 0; s < slots.Length; s++)
                {
                    var count = reader.Read7BitEncodedInt();
                    if (count == 0)
                    {
                        continue;
                    }

                    var list = new List<PendingEvent<TEvent>>(count);
                    for (var e = 0; e < count; e++)
                    {
                        list.Add(events[reader.Read7BitEncodedInt()]);
                    }

                    slots[s] = new PartialSequence<TEvent>(list);
                }
            }

            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException("Trailing bytes after the sequence state.");
            }

            return state;
        }
        catch (Exception ex) when (ex is not InvalidDataException
            && ex is IOException or ArgumentException or FormatException or IndexOutOfRangeException or OverflowException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException("The sequence state is truncated or corrupt.", ex);
        }
    }

    private static void WriteOptional(BinaryWriter writer, long? value)
    {
        writer.Write(value.HasValue);
        if (value is { } v)
        {
            writer.Write(v);
        }
    }

    private static long? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadInt64() : null;
}
