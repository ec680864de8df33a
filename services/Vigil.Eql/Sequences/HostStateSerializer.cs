using System.Text;
using Vigil.Eql.Documents;

namespace Vigil.Eql.Sequences;

/// <summary>
/// Writes a <see cref="HostState{TEvent}"/> as bytes and reads it back, for a store keyed by (rule, host).
/// </summary>
/// <remarks>
/// Layout (little-endian; "varint" is .NET's 7-bit encoded int; strings are a varint UTF-8 byte count then the bytes):
/// <code>
/// "VQS" 0x05                      magic and format version (0x03, the format before early reports kept their first
///                                 event, is still read: it is 0x05 without each report's first-event part; so is 0x02,
///                                 the format before early reports: 0x03 without the last section; and 0x01, the format
///                                 before missing events and samples: 0x02 without the slot count and the last three
///                                 sections)
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
///         @timestamp, int64 event.sequence, string event.id (of its last event), bool [int64 int64 string] (the same
///         of its first event, when known)
/// </code>
/// Each event is stored once even when several partials hold it. A store upgraded from 0x01 keeps its pending
/// sequences: the reader accepts every earlier version and the writer always writes the current one.
/// <para>
/// A store that keeps a state as named fields (a Redis hash) gets the field layout instead, version 0x06 (0x04, before
/// early reports kept their first event, is still read), so a write
/// costs what changed (<see cref="Changes"/>) and <see cref="ReadFields"/> reads it back:
/// </para>
/// <code>
/// "h"                              header: "VQS" 0x06, then as above from the query fingerprint to the last released
///                                  position, then sightings, awaiting matches (each with its events inline, not by
///                                  index), sampled keys and early reports as above
/// "b" int64 int64 id-bytes         one per buffered event, named by @timestamp, event.sequence and event.id: the event
///                                  inline (int64 @timestamp, int64 event.sequence, string event.id, uint64 steps, bool
///                                  until, varint length + event bytes)
/// "p" key components               one per join key with pending partials: varint64 change number (the eviction
///                                  order: lowest first), then per slot a varint event count (0 = empty) then the
///                                  events inline
/// </code>
/// The byte limit bounds the sum of every field's name and value; over it, the keys that changed longest ago are
/// evicted one at a time with the size each field is known to have, never by re-serializing the state.
/// </remarks>
public sealed class HostStateSerializer<TEvent>(
    CompiledQuery<TEvent> query,
    IEventCodec<TEvent> codec,
    int maxStateBytes = 0,
    RejectionTally? rejections = null,
    HeldBufferPool? namePool = null)
{
    // Where reorder-buffer field names (see BufferedName), partials' fields of several events (PartialValue) and the
    // writes' lists of fields to set come from, and go back to once the write is stored.
    private readonly HeldBufferPool nameArrays = namePool ?? HeldBufferPool.Shared;

    /// <summary>The default bound on one (rule, host) state's serialized size.</summary>
    public const int DefaultMaxStateBytes = 1 << 20;

    private static readonly byte[] Magic = "VQS"u8.ToArray();

    // The header field's name, shared by every write (a store copies names into its command, never changes them).
    private static readonly byte[] HeaderName = [HeaderKind];
    private const byte FieldsVersion = 6;
    private const byte Version = 5;
    private const byte FieldsVersionBeforeFirsts = 4;
    private const byte VersionBeforeFirsts = 3;
    private const byte HeaderKind = (byte)'h';
    private const byte BufferedKind = (byte)'b';
    private const byte PartialKind = (byte)'p';
    private const byte VersionBeforeEarlyReports = 2;
    private const byte PreviousVersion = 1;

    /// <summary>The bound on serialized bytes this serializer enforces (0: none).</summary>
    public int MaxStateBytes { get; } = maxStateBytes >= 0 ? maxStateBytes : throw new ArgumentOutOfRangeException(nameof(maxStateBytes));

    /// <summary>Writes the state; if it exceeds <see cref="MaxStateBytes"/>, evicts partials first (see <see cref="SerializeBounded"/>).</summary>
    public byte[] Serialize(HostState<TEvent> state) => SerializeBounded(state).Bytes;

    /// <summary>
    /// Writes the state as one blob within <see cref="MaxStateBytes"/>: when it is too large, the join keys that changed
    /// longest ago are evicted until the bytes they account for cover the excess (each key's size is measured once), and
    /// counted as <see cref="RejectionCounts.StateLimit"/>. The reorder buffer, awaiting matches and sightings are never
    /// evicted (the engine bounds the buffer by count).
    /// </summary>
    public (byte[] Bytes, int Evicted) SerializeBounded(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var bytes = Write(state);
        var evicted = 0;
        while (MaxStateBytes > 0 && bytes.Length > MaxStateBytes && state.Partials.Count > 0)
        {
            long excess = bytes.Length - MaxStateBytes;
            while (excess > 0 && state.Partials.LeastRecent is { } victim)
            {
                state.Partials.Remove(victim, out var slots);
                excess -= PartialValue(slots!, 0).Length + 1;
                evicted += slots!.Count(p => p is not null);
            }

            // A key's events may be shared with the buffer or another key, so its measure can overstate what leaves
            // the blob: check again, rarely more than once.
            bytes = Write(state);
        }

        if (evicted > 0)
        {
            rejections?.Add(new RejectionCounts(0, 0, 0, evicted, 0));
        }

        return (bytes, evicted);
    }

    /// <summary>
    /// What to write to a field store for everything that changed in <paramref name="state"/> since its last write (or
    /// since it was read): the header, new or changed partials and newly buffered events to set, and removed partials and
    /// released events to delete. Over <see cref="MaxStateBytes"/> (the sum of every field), the keys that changed
    /// longest ago are evicted first, each at the size its field is known to have, and counted as
    /// <see cref="RejectionCounts.StateLimit"/>. The state then counts as written: call this once per write, and read the
    /// state again from the store if the write fails.
    /// </summary>
    public StateFieldChanges Changes(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var partials = state.Partials;

        // A write per state per batch: what it allocates is counted per event, so only what the write needs (no empty
        // collections, no iterators, lists at their final size).
        // Changed keys are distinct (a set): an array of them with their fields, searched only to evict (rare).
        var pending = partials.Changed.Count == 0 ? null : new (JoinKey Key, KeyValuePair<byte[], ReadOnlyMemory<byte>> Field)[partials.Changed.Count];
        var pendingCount = 0;
        long total = partials.StoredBytes;
        foreach (var key in partials.Changed)
        {
            var slots = partials.TryGetValue(key, out var found) ? found : throw new InvalidOperationException("A changed key must be present.");
            var field = new KeyValuePair<byte[], ReadOnlyMemory<byte>>(PartialName(key), PartialValue(slots, partials.TickOf(key), state));
            pending![pendingCount++] = (key, field);
            total += field.Key.Length + field.Value.Length - partials.StoredSize(key);
        }

        // Newly buffered events are never evicted: measured now, their fields made once the evictions are known.
        var buffered = 0;
        foreach (var e in state.BufferAdded)
        {
            if (e.InBuffer && e.BufferBytes == 0)
            {
                buffered++;
                total += BufferedNameLength(e.Position) + (e.Inline is not null ? e.InlineLength : InlineEvent.Size(e.Id, EncodedOf(e).Length));
            }
        }

        total += state.BufferStoredBytes;
        var (header, headerArray) = Header(state);
        total += header.Length + 1;

        var evicted = 0;
        while (MaxStateBytes > 0 && total > MaxStateBytes && partials.LeastRecent is { } victim)
        {
            var at = 0;
            while (at < pendingCount && !ReferenceEquals(pending![at].Key, victim) && !pending[at].Key.Equals(victim))
            {
                at++;
            }

            if (at < pendingCount)
            {
                var field = pending![at].Field;
                total -= field.Key.Length + field.Value.Length;
                Array.Copy(pending, at + 1, pending, at, pendingCount - at - 1);
                pendingCount--;
            }
            else
            {
                total -= partials.StoredSize(victim);
            }

            partials.Remove(victim, out var slots);
            evicted += slots!.Count(p => p is not null);
        }

        var set = nameArrays.RentFields(pendingCount + buffered + 1);
        var next = 0;
        set[next++] = new(HeaderName, header);
        for (var i = 0; i < pendingCount; i++)
        {
            var (key, field) = pending![i];
            partials.MarkStored(key, field.Key.Length + field.Value.Length);
            set[next++] = field;
        }

        foreach (var e in state.BufferAdded)
        {
            if (e.InBuffer && e.BufferBytes == 0)
            {
                // The name is kept for the field's deletion when the event leaves the buffer: one name per event.
                var field = new KeyValuePair<byte[], ReadOnlyMemory<byte>>(e.BufferName = BufferedName(e.Position), EventValue(e));
                e.BufferBytes = field.Key.Length + field.Value.Length;
                state.BufferStoredBytes += e.BufferBytes;
                set[next++] = field;
            }
        }

        var replace = state.RewriteAll;
        IReadOnlyList<byte[]> removed = [];
        byte[][]? returnedNames;
        var returnedNamesFrom = 0;
        if (!replace && partials.Removed.Count + state.BufferRemoved.Count > 0)
        {
            var count = state.BufferRemoved.Count;
            foreach (var key in partials.Removed)
            {
                count += partials.ContainsKey(key) ? 0 : 1;
            }

            var names = new byte[count][];
            var named = 0;
            foreach (var key in partials.Removed)
            {
                if (!partials.ContainsKey(key))
                {
                    names[named++] = PartialName(key);
                }
            }

            // The released events' names are this write's last use of them: they go back to the pool once it is stored.
            returnedNamesFrom = named;
            foreach (var e in state.BufferRemoved)
            {
                names[named++] = e.BufferName ?? BufferedName(e.Position);
                e.BufferName = null;
            }

            removed = names;
            returnedNames = names;
        }
        else
        {
            returnedNames = TakeNames(state.BufferRemoved, null);
        }

        partials.Changed.Clear();
        partials.Removed.Clear();
        state.BufferAdded.Clear();
        state.BufferRemoved.Clear();
        state.HeaderBytes = header.Length + 1;
        state.RewriteAll = false;
        if (evicted > 0)
        {
            rejections?.Add(new RejectionCounts(0, 0, 0, evicted, 0));
        }

        // The arrays of events released since the last write go back to their pool once this write is stored.
        var returning = state.Returning;
        state.Returning = null;
        return new StateFieldChanges(replace, set, removed, evicted, state.StoredBytes, returning, headerArray, ReturnedNames(returnedNames, returnedNamesFrom), setPool: nameArrays);
    }

    /// <summary>
    /// Records that the store no longer holds <paramref name="state"/> (it was deleted, e.g. because it emptied): its
    /// next write sets every field afresh. Returns the arrays of events released since its last write, if any, as
    /// changes that set and delete nothing: an earlier write of the state may still be sending them, so they go back to
    /// their pool once the deletion is stored (<see cref="StateFieldChanges.Stored"/>).
    /// </summary>
    public StateFieldChanges? Discarded(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);

        // The names of its buffered fields, last used by earlier writes, go back to the pool with the arrays.
        var returnedNames = TakeNames(state.BufferRemoved, state.Buffer);
        state.MarkAllUnstored();
        var returning = state.Returning;
        state.Returning = null;
        return returning is null && returnedNames is null
            ? null
            : new StateFieldChanges(false, [], [], 0, 0, returning, names: ReturnedNames(returnedNames, 0));
    }

    /// <summary>
    /// Takes the reorder-buffer field names of <paramref name="events"/> and <paramref name="more"/> (null where none was
    /// made), leaving the events without: null when there were none.
    /// </summary>
    private static byte[][]? TakeNames(List<PendingEvent<TEvent>> events, List<PendingEvent<TEvent>>? more)
    {
        var count = Named(events) + (more is null ? 0 : Named(more));

        if (count == 0)
        {
            return null;
        }

        var taken = new byte[count][];
        var at = Take(events, taken, 0);
        if (more is not null)
        {
            Take(more, taken, at);
        }

        return taken;

        static int Named(List<PendingEvent<TEvent>> events)
        {
            var count = 0;
            foreach (var e in events)
            {
                count += e.BufferName is null ? 0 : 1;
            }

            return count;
        }

        static int Take(List<PendingEvent<TEvent>> events, byte[][] into, int at)
        {
            foreach (var e in events)
            {
                if (e.BufferName is { } name)
                {
                    into[at++] = name;
                    e.BufferName = null;
                }
            }

            return at;
        }
    }

    private (HeldBufferPool Pool, byte[][] Names, int From)? ReturnedNames(byte[][]? taken, int from) =>
        taken is null || from >= taken.Length ? null : (nameArrays, taken, from);

    /// <summary>
    /// Reads a state written as fields by <see cref="Changes"/> (name and value of each field, in any order); throws
    /// <see cref="InvalidDataException"/> if a field is malformed or the state belongs to another query.
    /// </summary>
    public HostState<TEvent> ReadFields(IReadOnlyCollection<KeyValuePair<byte[], byte[]>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        try
        {
            var header = fields.FirstOrDefault(f => f.Key is [HeaderKind]);
            if (header.Value is null)
            {
                throw new InvalidDataException("The sequence state has no header field.");
            }

            using var headerStream = new MemoryStream(header.Value, writable: false);
            using var headerReader = new BinaryReader(headerStream, Encoding.UTF8);
            var state = ReadHeader(headerReader);
            state.HeaderBytes = header.Key.Length + header.Value.Length;
            var keys = new List<(JoinKey Key, PartialSequence<TEvent>?[] Slots, int Bytes, long Tick)>();
            foreach (var (name, value) in fields)
            {
                if (name.Length == 0)
                {
                    throw new InvalidDataException("A sequence state field has an empty name.");
                }

                using var stream = new MemoryStream(value, writable: false);
                using var reader = new BinaryReader(stream, Encoding.UTF8);
                switch (name[0])
                {
                    case HeaderKind when name.Length == 1:
                        continue;
                    case BufferedKind:
                        var e = ReadEvent(reader);
                        e.InBuffer = true;
                        e.BufferBytes = name.Length + value.Length;
                        state.Buffer.Add(e);
                        state.BufferStoredBytes += e.BufferBytes;
                        break;
                    case PartialKind:
                        using (var nameReader = new BinaryReader(new MemoryStream(name, 1, name.Length - 1, writable: false), Encoding.UTF8))
                        {
                            var key = ReadKey(nameReader);
                            var tick = reader.Read7BitEncodedInt64();
                            var slots = new PartialSequence<TEvent>?[state.SlotCount];
                            for (var i = 0; i < slots.Length; i++)
                            {
                                var count = reader.Read7BitEncodedInt();
                                if (count > 0)
                                {
                                    var list = new List<PendingEvent<TEvent>>(count);
                                    for (var n = 0; n < count; n++)
                                    {
                                        list.Add(ReadEvent(reader));
                                    }

                                    slots[i] = new PartialSequence<TEvent>(list);
                                }
                            }

                            keys.Add((key, slots, name.Length + value.Length, tick));
                        }

                        break;
                    default:
                        throw new InvalidDataException($"Unknown sequence state field kind '{(char)name[0]}'.");
                }

                if (stream.Position != stream.Length)
                {
                    throw new InvalidDataException("Trailing bytes in a sequence state field.");
                }
            }

            state.Buffer.Sort((a, b) => a.Position.CompareTo(b.Position));
            foreach (var (key, slots, bytes, tick) in keys.OrderBy(k => k.Tick))
            {
                state.Partials.Load(key, slots, bytes, tick);
            }

            state.RebuildStarts();
            state.RewriteAll = false;
            return state;
        }
        catch (Exception ex) when (ex is not InvalidDataException
            && ex is IOException or ArgumentException or FormatException or IndexOutOfRangeException or OverflowException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException("The sequence state is truncated or corrupt.", ex);
        }
    }

    private static long Newest(PartialSequence<TEvent>?[] slots)
    {
        var newest = long.MinValue;
        foreach (var partial in slots)
        {
            if (partial is not null)
            {
                newest = Math.Max(newest, partial.Last.Timestamp);
            }
        }

        return newest;
    }

    /// <summary>A partial's field name, made once per key object (a key's partials are written on each change).</summary>
    private static byte[] PartialName(JoinKey key)
    {
        if (key.PartialFieldName is { } name)
        {
            return name;
        }

        var writer = Scratch.Start();
        writer.Write(PartialKind);
        WriteKey(writer, key);
        return key.PartialFieldName = Scratch.Bytes();
    }

    private static int BufferedNameLength(EventPosition position) => 17 + Encoding.UTF8.GetByteCount(position.Id);

    private byte[] BufferedName(EventPosition position)
    {
        // One array, the id written into it (a name per buffered event, on its write and its release), reused: the
        // write that deletes the field is its last reader, and the name goes back to the pool once that write is stored.
        var name = nameArrays.RentExact(BufferedNameLength(position));
        name[0] = BufferedKind;
        BitConverter.TryWriteBytes(name.AsSpan(1, 8), position.Timestamp);
        BitConverter.TryWriteBytes(name.AsSpan(9, 8), position.Sequence);
        Encoding.UTF8.GetBytes(position.Id, name.AsSpan(17));
        return name;
    }

    /// <summary>
    /// A key's field value: a view of its single first step's array, or else written into an array of the serializer's
    /// pool when <paramref name="writing"/> is given (the array then joins the state's <see cref="HostState{TEvent}.Returning"/>,
    /// handed to this write's changes, so it goes back once the write is stored), or into an array of its own.
    /// </summary>
    private ReadOnlyMemory<byte> PartialValue(PartialSequence<TEvent>?[] slots, long tick, HostState<TEvent>? writing = null)
    {
        if (SingleFirstStep(slots, tick) is { } view)
        {
            return view;
        }

        // Sized exactly and written in place: a field holds whole encoded events, and a growing stream would copy each
        // several times over.
        var size = InlineEvent.VarintSize((ulong)tick);
        foreach (var slot in slots)
        {
            size += InlineEvent.VarintSize((uint)(slot?.Events.Count ?? 0));
            if (slot is not null)
            {
                foreach (var e in slot.Events)
                {
                    size += e.Inline is not null ? e.InlineLength : InlineEvent.Size(e.Id, EncodedOf(e).Length);
                }
            }
        }

        // A field of several events is written on every change of its key (each event that advances a partial): its
        // array comes from the pool and goes back once the write that sends it is stored.
        var rented = writing is null ? null : nameArrays.Rent(size);
        if (rented is not null)
        {
            (writing!.Returning ??= StateFieldChanges.RentList()).Add((nameArrays, rented));
        }

        var value = rented ?? new byte[size];
        var span = value.AsSpan(0, size);
        var at = InlineEvent.WriteVarint(span, (ulong)tick);
        foreach (var slot in slots)
        {
            at += InlineEvent.WriteVarint(span[at..], (uint)(slot?.Events.Count ?? 0));
            if (slot is not null)
            {
                foreach (var e in slot.Events)
                {
                    at += WriteEvent(span[at..], e);
                }
            }
        }

        // Only after the whole field: an event may sit in two of a key's partials.
        foreach (var slot in slots)
        {
            slot?.Events.ForEach(LetGo);
        }

        return at == size ? value.AsMemory(0, size) : throw new InvalidOperationException("A partial's field was not written to its measured size.");
    }

    /// <summary>
    /// The field of a key whose only partial is a first step's single event (most pending partials: a first step waiting
    /// for its second), as a view of that event's own array: its change number and event count are written into the
    /// room before the event's inline form, and the other slots' zero counts are the zero bytes after it
    /// (<see cref="InlineEvent"/>). Null when the partials are anything else, or the event's array has no such room.
    /// </summary>
    /// <remarks>
    /// Only the bytes around the event change. A correlator seals its next batch while the previous batch's write may
    /// still be sending (OwnedStates.WriteThrough), so a write still reading an earlier view of the same key may send the
    /// change number this one wrote (a varint one byte longer starts a byte earlier: the earlier view then reads its last
    /// byte as the whole number). Either way the field parses as the same event with a later change number, which only
    /// orders key-limit eviction after a reload; the later write sets that number anyway.
    /// </remarks>
    private static ReadOnlyMemory<byte>? SingleFirstStep(PartialSequence<TEvent>?[] slots, long tick)
    {
        if (slots.Length == 0 || slots[0] is not { Events: [var e] } || e.Inline is not { } array || e.Pool is not null)
        {
            return null;
        }

        for (var i = 1; i < slots.Length; i++)
        {
            if (slots[i] is not null)
            {
                return null;
            }
        }

        var prefix = InlineEvent.VarintSize((ulong)tick) + 1;
        var end = e.InlineOffset + e.InlineLength;
        if (e.InlineOffset < prefix || array.Length - end < slots.Length - 1)
        {
            return null;
        }

        var start = e.InlineOffset - prefix;
        var at = start + InlineEvent.WriteVarint(array.AsSpan(start), (ulong)tick);
        array[at] = 1;
        array.AsSpan(end, slots.Length - 1).Clear();
        return array.AsMemory(start, prefix + e.InlineLength + slots.Length - 1);
    }

    private ReadOnlyMemory<byte> EventValue(PendingEvent<TEvent> e)
    {
        if (e.Inline is not null)
        {
            // Held in the field's layout already: the array is the value (never changed while the event is buffered).
            return e.InlineBytes;
        }

        var value = new byte[InlineEvent.Size(e.Id, EncodedOf(e).Length)];
        var written = WriteEvent(value, e);
        LetGo(e);
        return written == value.Length ? value : throw new InvalidOperationException("An event's field was not written to its measured size.");
    }

    /// <summary>The event's bytes as the codec encodes it (encoded now unless kept).</summary>
    private byte[] EncodedOf(PendingEvent<TEvent> e) => e.Encoded ??= codec.Encode(e.Document);

    /// <summary>After a write: drops the event's bytes if they were only cached for it.</summary>
    private static void LetGo(PendingEvent<TEvent> e)
    {
        // Kept while the event waits in the buffer (its partial's field will need it); dropped once written elsewhere,
        // unless the bytes are how the event is held.
        if (!e.HeldEncoded && !e.InBuffer)
        {
            e.Encoded = null;
        }
    }

    /// <summary>One event inline (<see cref="InlineEvent"/>), its encoding measured before by <see cref="EncodedOf"/>.</summary>
    private static int WriteEvent(Span<byte> span, PendingEvent<TEvent> e)
    {
        if (e.Inline is not null)
        {
            e.InlineBytes.Span.CopyTo(span);
            return e.InlineLength;
        }

        var bytes = e.Encoded!;
        var at = InlineEvent.WriteHead(span, e.Timestamp, e.Sequence, e.Id, e.Classification, bytes.Length);
        bytes.CopyTo(span[at..]);
        return at + bytes.Length;
    }

    private void WriteEvent(BinaryWriter writer, PendingEvent<TEvent> e)
    {
        if (e.Inline is not null)
        {
            writer.Write(e.InlineBytes.Span);
            return;
        }

        writer.Write(e.Timestamp);
        writer.Write(e.Sequence);
        writer.Write(e.Id);
        writer.Write(e.Classification.Steps);
        writer.Write(e.Classification.Until);
        var bytes = EncodedOf(e);
        LetGo(e);
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes);
    }

    private PendingEvent<TEvent> ReadEvent(BinaryReader reader)
    {
        var timestamp = reader.ReadInt64();
        var sequence = reader.ReadInt64();
        var id = reader.ReadString();
        var classification = new EventClassification(reader.ReadUInt64(), reader.ReadBoolean());
        var length = reader.Read7BitEncodedInt();
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            // Reported as every truncated state is (see the catch of the readers).
            throw new EndOfStreamException("A sequence state event is truncated.");
        }

        // Held as read, in its field layout; decoded now, so a corrupt event fails the read, and for the join keys, then
        // decoded whole again only for a match.
        var size = InlineEvent.Size(id, length);
        var inline = InlineEvent.CreateKept(size, query.IsSample ? query.StageCount : query.StageCount - 1);
        var offset = InlineEvent.WriteHead(inline.AsSpan(InlineEvent.Headroom), timestamp, sequence, id, classification, length);
        reader.BaseStream.ReadExactly(inline, InlineEvent.Headroom + offset, length);
        var document = codec.Decode(inline.AsSpan(InlineEvent.Headroom + offset, length));
        var pending = new PendingEvent<TEvent>(inline, InlineEvent.Headroom, size, offset, codec, pool: null, timestamp, sequence, id, classification);
        pending.ComputeKeys(query, document);
        return pending;
    }

    /// <summary>
    /// The header field's value: everything but the buffer and the partials, awaiting matches' events inline. Written on
    /// every write of the state, so it is a view of a pooled array (returned once the write is stored, see
    /// <see cref="StateFieldChanges.Stored"/>) unless it is larger than the pool's arrays.
    /// </summary>
    private (ReadOnlyMemory<byte> Value, byte[]? Pooled) Header(HostState<TEvent> state)
    {
        var writer = Scratch.Start();
        WriteHeaderStart(writer, state);
        WriteSightings(writer, state);
        writer.Write7BitEncodedInt(state.Awaiting.Count);
        foreach (var awaiting in state.Awaiting)
        {
            WriteKey(writer, awaiting.Key);
            writer.Write(awaiting.Deadline);
            writer.Write7BitEncodedInt(awaiting.Sequence.Events.Count);
            foreach (var e in awaiting.Sequence.Events)
            {
                WriteEvent(writer, e);
            }
        }

        WriteSampledAndReports(writer, state);
        var written = Scratch.Written();
        if (HeldBufferPool.Shared.Rent(written.Length) is not { } array)
        {
            return (Scratch.Bytes(), null);
        }

        written.CopyTo(array);
        return (array.AsMemory(0, written.Length), array);
    }

    /// <summary>
    /// <see cref="WriteHeaderStart(BinaryWriter, HostState{TEvent}, byte)"/> of the field layout: what never changes in a
    /// state (magic, version, fingerprint, host id, stage and slot counts) is encoded on its first write and copied after,
    /// so a state written every batch does not encode its fingerprint and host id every batch.
    /// </summary>
    /// <remarks>
    /// <paramref name="writer"/> is the thread's scratch writer, just started: a state's first write encodes the fixed
    /// part straight into it and keeps a copy of those bytes, rather than encoding them through a stream of its own.
    /// </remarks>
    private void WriteHeaderStart(BinaryWriter writer, HostState<TEvent> state)
    {
        if (state.HeaderPrefix is not { } prefix || !ReferenceEquals(state.HeaderPrefixOf, query))
        {
            WriteFixedStart(writer, state, FieldsVersion);
            state.HeaderPrefix = Scratch.Written().ToArray();
            state.HeaderPrefixOf = query;
        }
        else
        {
            writer.Write(prefix);
        }

        WriteMovingStart(writer, state);
    }

    private void WriteHeaderStart(BinaryWriter writer, HostState<TEvent> state, byte version)
    {
        WriteFixedStart(writer, state, version);
        WriteMovingStart(writer, state);
    }

    private void WriteFixedStart(BinaryWriter writer, HostState<TEvent> state, byte version)
    {
        writer.Write(Magic);
        writer.Write(version);
        writer.Write(query.Fingerprint);
        writer.Write(state.HostId);
        writer.Write7BitEncodedInt(state.StageCount);
        writer.Write7BitEncodedInt(state.SlotCount);
    }

    private static void WriteMovingStart(BinaryWriter writer, HostState<TEvent> state)
    {
        WriteOptional(writer, state.LatestTimestamp);
        WriteOptional(writer, state.ExternalWatermark);
        writer.Write(state.LastReleased.HasValue);
        if (state.LastReleased is { } released)
        {
            writer.Write(released.Timestamp);
            writer.Write(released.Sequence);
            writer.Write(released.Id);
        }
    }

    private static void WriteSightings(BinaryWriter writer, HostState<TEvent> state)
    {
        writer.Write7BitEncodedInt(state.Sightings.Count);
        foreach (var sighting in state.Sightings)
        {
            writer.Write7BitEncodedInt(sighting.Definition);
            WriteKey(writer, sighting.Key);
            writer.Write(sighting.Position.Timestamp);
            writer.Write(sighting.Position.Sequence);
            writer.Write(sighting.Position.Id);
        }
    }

    private static void WriteSampledAndReports(BinaryWriter writer, HostState<TEvent> state)
    {
        writer.Write7BitEncodedInt(state.Sampled.Count);
        foreach (var (key, until) in state.Sampled)
        {
            WriteKey(writer, key);
            writer.Write(until);
        }

        writer.Write7BitEncodedInt(state.EarlyReports.Count);
        foreach (var report in state.EarlyReports.Items)
        {
            WriteKey(writer, report.Key);
            writer.Write(report.Last.Timestamp);
            writer.Write(report.Last.Sequence);
            writer.Write(report.Last.Id);
            writer.Write(report.First is not null);
            if (report.First is { } first)
            {
                writer.Write(first.Timestamp);
                writer.Write(first.Sequence);
                writer.Write(first.Id);
            }
        }
    }

    /// <summary>Reads the header up to and including the early reports (awaiting events inline: the field layout).</summary>
    private HostState<TEvent> ReadHeader(BinaryReader reader)
    {
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a sequence state (bad magic).");
        }

        var version = reader.ReadByte();
        if (version is not (FieldsVersion or FieldsVersionBeforeFirsts))
        {
            throw new InvalidDataException($"Unknown sequence state format version {version}.");
        }

        var state = ReadIdentity(reader, version);
        ReadPositions(reader, state);
        ReadSightings(reader, state);
        var awaiting = reader.Read7BitEncodedInt();
        for (var i = 0; i < awaiting; i++)
        {
            var key = ReadKey(reader);
            var deadline = reader.ReadInt64();
            var count = reader.Read7BitEncodedInt();
            var list = new List<PendingEvent<TEvent>>(count);
            for (var e = 0; e < count; e++)
            {
                list.Add(ReadEvent(reader));
            }

            state.Awaiting.Add(new AwaitingMatch<TEvent>(key, new PartialSequence<TEvent>(list), deadline));
        }

        ReadSampled(reader, state);
        ReadReports(reader, state, withFirsts: version == FieldsVersion);
        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException("Trailing bytes after the sequence state header.");
        }

        return state;
    }

    private HostState<TEvent> ReadIdentity(BinaryReader reader, byte version)
    {
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

        return new HostState<TEvent>(hostId, stageCount, slotCount);
    }

    private static void ReadPositions(BinaryReader reader, HostState<TEvent> state)
    {
        state.LatestTimestamp = ReadOptional(reader);
        state.ExternalWatermark = ReadOptional(reader);
        if (reader.ReadBoolean())
        {
            state.LastReleased = new EventPosition(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
        }
    }

    private static void ReadSightings(BinaryReader reader, HostState<TEvent> state)
    {
        var sightings = reader.Read7BitEncodedInt();
        for (var i = 0; i < sightings; i++)
        {
            var definition = reader.Read7BitEncodedInt();
            var key = ReadKey(reader);
            state.Sightings.Add(new MissingSighting(definition, key, new EventPosition(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString())));
        }
    }

    private static void ReadSampled(BinaryReader reader, HostState<TEvent> state)
    {
        var sampled = reader.Read7BitEncodedInt();
        for (var i = 0; i < sampled; i++)
        {
            var key = ReadKey(reader);
            state.Sampled[key] = reader.ReadInt64();
        }
    }

    private static void ReadReports(BinaryReader reader, HostState<TEvent> state, bool withFirsts)
    {
        var reports = reader.Read7BitEncodedInt();
        for (var i = 0; i < reports; i++)
        {
            var key = ReadKey(reader);
            var last = new EventPosition(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
            EventPosition? first = withFirsts && reader.ReadBoolean() ? new EventPosition(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString()) : null;
            state.EarlyReports.Add(new EarlyReport(key, last, first));
        }
    }

    private byte[] Write(HostState<TEvent> state)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            WriteHeaderStart(writer, state, Version);
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
                WriteEvent(writer, e);
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

            WriteSightings(writer, state);
            writer.Write7BitEncodedInt(state.Awaiting.Count);
            foreach (var awaiting in state.Awaiting)
            {
                WriteKey(writer, awaiting.Key);
                writer.Write(awaiting.Deadline);
                writer.Write7BitEncodedInt(awaiting.Sequence.Events.Count);
                awaiting.Sequence.Events.ForEach(e => writer.Write7BitEncodedInt(table[e]));
            }

            WriteSampledAndReports(writer, state);
        }

        return stream.ToArray();
    }

    private static void WriteKey(BinaryWriter writer, JoinKey key)
    {
        writer.Write7BitEncodedInt(key.Count);
        for (var c = 0; c < key.Count; c++)
        {
            var component = key[c];
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
            if (version is not (Version or VersionBeforeFirsts or VersionBeforeEarlyReports or PreviousVersion))
            {
                throw new InvalidDataException($"Unknown sequence state format version {version}.");
            }

            var state = ReadIdentity(reader, version);
            ReadPositions(reader, state);
            var events = new PendingEvent<TEvent>[reader.Read7BitEncodedInt()];
            for (var i = 0; i < events.Length; i++)
            {
                events[i] = ReadEvent(reader);
            }

            var buffered = reader.Read7BitEncodedInt();
            for (var i = 0; i < buffered; i++)
            {
                var e = events[reader.Read7BitEncodedInt()];
                e.InBuffer = true;
                state.Buffer.Add(e);
            }

            var keys = reader.Read7BitEncodedInt();
            var loaded = new List<(JoinKey Key, PartialSequence<TEvent>?[] Slots)>(keys);
            for (var k = 0; k < keys; k++)
            {
                var slots = new PartialSequence<TEvent>?[state.SlotCount];
                loaded.Add((ReadKey(reader), slots));
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

            // Eviction takes the keys that changed longest ago first: as read, those whose newest partial is oldest.
            foreach (var (key, slots) in loaded.OrderBy(k => Newest(k.Slots)))
            {
                state.Partials.Load(key, slots, storedBytes: 0);
            }

            if (version != PreviousVersion)
            {
                ReadSightings(reader, state);

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

                ReadSampled(reader, state);
            }

            if (version is Version or VersionBeforeFirsts)
            {
                ReadReports(reader, state, withFirsts: version == Version);
            }

            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException("Trailing bytes after the sequence state.");
            }

            // Whatever holds these bytes holds no fields of this state: a field store's next write sets them all.
            state.MarkAllUnstored();
            state.RebuildStarts();
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

    /// <summary>
    /// A stream and writer per thread for the small fields written on every state write (the header, partials' names):
    /// only the field's own array is allocated, not a growing stream and a writer each time.
    /// </summary>
    private static class Scratch
    {
        [ThreadStatic]
        private static MemoryStream? stream;

        [ThreadStatic]
        private static BinaryWriter? writer;

        public static BinaryWriter Start()
        {
            if (writer is null)
            {
                stream = new MemoryStream();
                writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            }

            stream!.SetLength(0);
            return writer;
        }

        /// <summary>What was written since <see cref="Start"/>, valid until the thread's next Start.</summary>
        public static ReadOnlySpan<byte> Written()
        {
            writer!.Flush();
            return stream!.GetBuffer().AsSpan(0, (int)stream.Length);
        }

        public static byte[] Bytes()
        {
            writer!.Flush();
            var bytes = stream!.ToArray();
            if (stream.Capacity > 64 * 1024)
            {
                // A header inlining large awaiting matches: do not keep its buffer for good.
                stream = null;
                writer = null;
            }

            return bytes;
        }
    }
}
