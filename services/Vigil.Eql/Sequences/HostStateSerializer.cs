using System.Text;
using Vigil.Eql.Documents;

namespace Vigil.Eql.Sequences;

/// <summary>
/// Writes a <see cref="HostState{TEvent}"/> as bytes and reads it back, for a store keyed by (rule, host).
/// </summary>
/// <remarks>
/// Layout (little-endian; "varint" is .NET's 7-bit encoded int; strings are a varint UTF-8 byte count then the bytes):
/// <code>
/// "VQS" 0x03                      magic and format version (0x02, the format before early reports, is still read: it
///                                 is 0x03 without the last section; so is 0x01, the format before missing events and
///                                 samples: 0x02 without the slot count and the last three sections)
/// string  query fingerprint       state is only valid for the query text that produced it
/// string  host id
/// varint  stage count
/// varint  slot count              per join key (stage count - 1 for a sequence, stage count for a sample)
/// bool [int64]                    latest @timestamp seen (ns)
/// bool [int64]                    external watermark (ns)
/// bool [int64 int64 string]       last released position: @timestamp, event.sequence, event.id
/// varint  event count, then per event:
///         int64 @timestamp, int64 event.sequence, string event.id, uint64 satisfied-step bits, bool until,
///         varint length + event bytes (the codec's encoding)
/// varint  buffered count, then varint event index each (in release order)
/// varint  key count, then per key:
///         varint component count, then per component: bool present [string value]
///         per slot: varint event count (0 = empty), then varint event index each
/// varint  sighting count, then per sighting: varint step, key components, int64 @timestamp, int64 event.sequence,
///         string event.id
/// varint  awaiting count, then per awaiting match: key components, int64 deadline, varint event count, then varint
///         event index each
/// varint  sampled key count, then per key: key components, int64 until
/// varint  early report count, then per match reported before its last event was released: key components, int64
///         @timestamp, int64 event.sequence, string event.id (of its last event)
/// </code>
/// Each event is stored once even when several partials hold it. A store upgraded from 0x01 keeps its pending
/// sequences: the reader accepts every earlier version and the writer always writes the current one.
/// </remarks>
public sealed class HostStateSerializer<TEvent>(
    CompiledQuery<TEvent> query,
    IEventCodec<TEvent> codec,
    int maxStateBytes = 0,
    RejectionTally? rejections = null)
{
    /// <summary>The default bound on one (rule, host) state's serialized size.</summary>
    public const int DefaultMaxStateBytes = 1 << 20;

    private static readonly byte[] Magic = "VQS"u8.ToArray();
    private const byte Version = 3;
    private const byte VersionBeforeEarlyReports = 2;
    private const byte PreviousVersion = 1;

    /// <summary>The bound on serialized bytes this serializer enforces (0: none).</summary>
    public int MaxStateBytes { get; } = maxStateBytes >= 0 ? maxStateBytes : throw new ArgumentOutOfRangeException(nameof(maxStateBytes));

    /// <summary>Writes the state; if it exceeds <see cref="MaxStateBytes"/>, evicts partials first (see <see cref="SerializeBounded"/>).</summary>
    public byte[] Serialize(HostState<TEvent> state) => SerializeBounded(state).Bytes;

    /// <summary>
    /// Writes the state within <see cref="MaxStateBytes"/>: while it is too large, the join keys whose newest partial is
    /// oldest are evicted (a quarter of them per round) and counted as <see cref="RejectionCounts.StateLimit"/>. The
    /// reorder buffer, awaiting matches and sightings are never evicted (the engine bounds the buffer by count).
    /// </summary>
    public (byte[] Bytes, int Evicted) SerializeBounded(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var bytes = Write(state);
        var evicted = 0;
        while (MaxStateBytes > 0 && bytes.Length > MaxStateBytes && state.Partials.Count > 0)
        {
            var victims = state.Partials
                .OrderBy(entry => entry.Value.Max(p => p?.Last.Timestamp ?? long.MinValue))
                .Take(Math.Max(1, state.Partials.Count / 4))
                .ToArray();
            foreach (var (key, slots) in victims)
            {
                evicted += slots.Count(p => p is not null);
                state.Partials.Remove(key);
            }

            bytes = Write(state);
        }

        if (evicted > 0)
        {
            rejections?.Add(new RejectionCounts(0, 0, 0, evicted, 0));
        }

        return (bytes, evicted);
    }

    private byte[] Write(HostState<TEvent> state)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(query.Fingerprint);
            writer.Write(state.HostId);
            writer.Write7BitEncodedInt(state.StageCount);
            writer.Write7BitEncodedInt(state.SlotCount);
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

            state.Awaiting.ForEach(a => a.Sequence.Events.ForEach(Collect));

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
                WriteKey(writer, key);
                foreach (var slot in slots)
                {
                    writer.Write7BitEncodedInt(slot?.Events.Count ?? 0);
                    slot?.Events.ForEach(e => writer.Write7BitEncodedInt(table[e]));
                }
            }

            writer.Write7BitEncodedInt(state.Sightings.Count);
            foreach (var sighting in state.Sightings)
            {
                writer.Write7BitEncodedInt(sighting.Definition);
                WriteKey(writer, sighting.Key);
                writer.Write(sighting.Position.Timestamp);
                writer.Write(sighting.Position.Sequence);
                writer.Write(sighting.Position.Id);
            }

            writer.Write7BitEncodedInt(state.Awaiting.Count);
            foreach (var awaiting in state.Awaiting)
            {
                WriteKey(writer, awaiting.Key);
                writer.Write(awaiting.Deadline);
                writer.Write7BitEncodedInt(awaiting.Sequence.Events.Count);
                awaiting.Sequence.Events.ForEach(e => writer.Write7BitEncodedInt(table[e]));
            }

            writer.Write7BitEncodedInt(state.Sampled.Count);
            foreach (var (key, until) in state.Sampled)
            {
                WriteKey(writer, key);
                writer.Write(until);
            }

            writer.Write7BitEncodedInt(state.EarlyReports.Count);
            foreach (var report in state.EarlyReports)
            {
                WriteKey(writer, report.Key);
                writer.Write(report.Last.Timestamp);
                writer.Write(report.Last.Sequence);
                writer.Write(report.Last.Id);
            }
        }

        return stream.ToArray();
    }

    private static void WriteKey(BinaryWriter writer, JoinKey key)
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
    }

    private static JoinKey ReadKey(BinaryReader reader)
    {
        var components = new string?[reader.Read7BitEncodedInt()];
        for (var c = 0; c < components.Length; c++)
        {
            components[c] = reader.ReadBoolean() ? reader.ReadString() : null;
        }

        return new JoinKey(components);
    }

    /// <summary>Reads a state written by <see cref="Serialize"/>; throws <see cref="InvalidDataException"/> if it is malformed or belongs to another query.</summary>
    public HostState<TEvent> Deserialize(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException("Not a sequence state (bad magic).");
            }

            var version = reader.ReadByte();
            if (version is not (Version or VersionBeforeEarlyReports or PreviousVersion))
            {
                throw new InvalidDataException($"Unknown sequence state format version {version}.");
            }

            var fingerprint = reader.ReadString();
            if (!string.Equals(fingerprint, query.Fingerprint, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The state was written for query {fingerprint}, not {query.Fingerprint}: discard it.");
            }

            var hostId = reader.ReadString();
            var stageCount = reader.Read7BitEncodedInt();
            var slotCount = version == PreviousVersion ? stageCount - 1 : reader.Read7BitEncodedInt();
            var expectedSlots = query.IsSample ? query.StageCount : query.StageCount - 1;
            if (stageCount != query.StageCount || slotCount != expectedSlots)
            {
                throw new InvalidDataException($"The state has {stageCount} stages and {slotCount} slots but the query has {query.StageCount} and {expectedSlots}.");
            }

            var state = new HostState<TEvent>(hostId, stageCount, slotCount);

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
                var slots = state.SlotsFor(ReadKey(reader));
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

            if (version != PreviousVersion)
            {
                var sightings = reader.Read7BitEncodedInt();
                for (var i = 0; i < sightings; i++)
                {
                    var definition = reader.Read7BitEncodedInt();
                    var key = ReadKey(reader);
                    state.Sightings.Add(new MissingSighting(definition, key, new EventPosition(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString())));
                }

                var awaiting = reader.Read7BitEncodedInt();
                for (var i = 0; i < awaiting; i++)
                {
                    var key = ReadKey(reader);
                    var deadline = reader.ReadInt64();
                    var list = new List<PendingEvent<TEvent>>();
                    var count = reader.Read7BitEncodedInt();
                    for (var e = 0; e < count; e++)
                    {
                        list.Add(events[reader.Read7BitEncodedInt()]);
                    }

                    state.Awaiting.Add(new AwaitingMatch<TEvent>(key, new PartialSequence<TEvent>(list), deadline));
                }

                var sampled = reader.Read7BitEncodedInt();
                for (var i = 0; i < sampled; i++)
                {
                    var key = ReadKey(reader);
                    state.Sampled[key] = reader.ReadInt64();
                }
            }

            if (version == Version)
            {
                var reports = reader.Read7BitEncodedInt();
                for (var i = 0; i < reports; i++)
                {
                    var key = ReadKey(reader);
                    state.EarlyReports.Add(new EarlyReport(key, new EventPosition(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString())));
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
