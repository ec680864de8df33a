using Vigil.Eql.Documents;

namespace Vigil.Eql.Sequences;

/// <summary>
/// An event the engine holds: in the reorder buffer, or as evidence of a partial sequence. Its ordering fields and the
/// steps it satisfies are computed once, on arrival.
/// </summary>
/// <remarks>
/// An event is held either as its document or as its encoding alone (<see cref="HeldEncoded"/>): the bytes a store
/// needs anyway, about a fifth of the decoded object's size. The engine reads an event's fields only for its position
/// and join keys, so an encoded event carries those (computed from the document it arrived as, or from one decode
/// after a read from a store) and is decoded whole only when a match is built from it.
/// </remarks>
internal sealed class PendingEvent<TEvent>
{
    private static readonly JoinKey NotComputed = new(["\u0000not computed"]);

    private readonly TEvent document;

    // Decodes the document of an event held encoded; null when the document itself is held.
    private readonly IEventCodec<TEvent>? codec;

    // Per distinct step (definition) of the query, then the until clause last: the event's join key there.
    private JoinKey?[]? keys;

    // The event's one join key when every step joins on the same fields (CompiledQuery.KeysShared): no array then.
    private JoinKey? sharedKey = NotComputed;

    public PendingEvent(TEvent document, long timestamp, long sequence, string id, EventClassification classification)
    {
        this.document = document;
        Timestamp = timestamp;
        Sequence = sequence;
        Id = id;
        Classification = classification;
    }

    /// <summary>
    /// An event held as the <paramref name="inlineLength"/> bytes of <paramref name="inline"/> from
    /// <paramref name="inlineOffset"/>, its field layout (<see cref="InlineEvent"/>) with the codec's encoding
    /// <paramref name="encodingOffset"/> bytes further (decoded by <paramref name="codec"/> when a match needs it). With
    /// <paramref name="pool"/>, the array was rented from it and goes back once the event leaves the reorder buffer
    /// (see <see cref="HostState{TEvent}.ReleaseBuffered"/>).
    /// </summary>
    public PendingEvent(byte[] inline, int inlineOffset, int inlineLength, int encodingOffset, IEventCodec<TEvent> codec, HeldBufferPool? pool, long timestamp, long sequence, string id, EventClassification classification)
        : this(default(TEvent)!, timestamp, sequence, id, classification)
    {
        Inline = inline;
        InlineOffset = inlineOffset;
        InlineLength = inlineLength;
        EncodingOffset = encodingOffset;
        Pool = pool;
        this.codec = codec;
    }

    /// <summary>
    /// The event whole. For an event held encoded this decodes a new object on each call: only a match built from the
    /// event (or an event-less caller such as a test) asks for it.
    /// </summary>
    public TEvent Document => codec is null
        ? document
        : codec.Decode((Inline ?? throw new InvalidOperationException("The event's bytes went back to their pool: it left the state.")).AsSpan(InlineOffset + EncodingOffset, InlineLength - EncodingOffset));

    /// <summary>
    /// For an event held encoded: the array holding, from <see cref="InlineOffset"/>, the event as a state field stores
    /// it inline (<see cref="InlineEvent"/>); null once a pooled array went back to its pool.
    /// </summary>
    public byte[]? Inline { get; private set; }

    /// <summary>Where the event's inline form starts in <see cref="Inline"/> (<see cref="InlineEvent.Headroom"/> for an event the state keeps).</summary>
    public int InlineOffset { get; private set; }

    /// <summary>How many bytes of <see cref="Inline"/> are the event (a pooled array may be longer).</summary>
    public int InlineLength { get; }

    /// <summary>The event's field bytes.</summary>
    public ReadOnlyMemory<byte> InlineBytes => Inline.AsMemory(InlineOffset, InlineLength);

    /// <summary>Where the codec's encoding starts in the event's inline form.</summary>
    public int EncodingOffset { get; }

    /// <summary>The pool <see cref="Inline"/> was rented from; null for an array of the event's own.</summary>
    internal HeldBufferPool? Pool { get; private set; }

    /// <summary>
    /// Set once matching placed the event in one of its state's partial sequences, awaiting matches or sample slots:
    /// it stays in the state after it leaves the reorder buffer, so its bytes must leave the pool then.
    /// </summary>
    internal bool Kept { get; set; }

    /// <summary>
    /// How many partial sequences of its state (awaiting matches and sample slots included) hold the event, counted by
    /// the engine as it places the event and as those partials end; the event's kept array (<see cref="KeptPool"/>) goes
    /// back to its pool once none does.
    /// </summary>
    internal int Holders { get; set; }

    /// <summary>
    /// The pool the array of an event the state keeps was rented from (null: an array of its own, or one read from a
    /// store). Such an array is returned once no partial holds the event any more and the state's next write is stored
    /// (see <see cref="HostState{TEvent}.Returning"/>): a kept event costs no allocation once partials end as fast as
    /// they start.
    /// </summary>
    internal HeldBufferPool? KeptPool { get; private set; }

    /// <summary>Marks <see cref="Inline"/> as a kept array rented from <paramref name="pool"/>.</summary>
    internal void KeptFrom(HeldBufferPool? pool) => KeptPool = pool;

    /// <summary>
    /// Hands over the kept array of an event nothing holds any more (no partial, not the reorder buffer), leaving the
    /// event without bytes so a late reader fails loudly; null when it is still held or its array is not the pool's.
    /// </summary>
    internal (HeldBufferPool Pool, byte[] Array)? TakeKept()
    {
        if (Holders > 0 || InBuffer || KeptPool is not { } pool || Inline is not { } array)
        {
            return null;
        }

        Inline = null;
        KeptPool = null;
        return (pool, array);
    }

    /// <summary>
    /// For an event whose state leaves memory (nothing reads the event again): hands over its pooled or kept array,
    /// leaving it without bytes; null when its array is its own or was taken already.
    /// </summary>
    internal (HeldBufferPool Pool, byte[] Array)? TakeOnLeaving()
    {
        if ((Pool ?? KeptPool) is not { } pool || Inline is not { } array)
        {
            return null;
        }

        Inline = null;
        Pool = null;
        KeptPool = null;
        return (pool, array);
    }

    /// <summary>
    /// Hands a pooled event's array over to the caller (to return to its pool once no store write still reads it):
    /// an event that stays in the state (<see cref="Kept"/> and still held by a partial) gets a copy first, in an array of
    /// the same pool (see <see cref="KeptPool"/>) or, past its largest size, of its own; one that leaves is left without
    /// bytes, so a late reader fails loudly instead of reading a later event's bytes.
    /// </summary>
    /// <param name="slots">The state's partial slots per key (laid out after a kept copy, see <see cref="InlineEvent"/>).</param>
    internal (HeldBufferPool Pool, byte[] Array) TakePooled(int slots)
    {
        var pool = Pool ?? throw new InvalidOperationException("The event's bytes are not pooled.");
        var array = Inline!;
        if (Kept && Holders > 0)
        {
            // A partial still holds the event: its copy comes from the same pool and goes back when the last one ends.
            var length = InlineEvent.KeptLength(InlineLength, slots);
            var rented = pool.Rent(length);
            var own = rented ?? new byte[length];
            InlineBytes.Span.CopyTo(own.AsSpan(InlineEvent.Headroom));
            Inline = own;
            InlineOffset = InlineEvent.Headroom;
            KeptPool = rented is null ? null : pool;
        }
        else
        {
            Inline = null;
        }

        Pool = null;
        return (pool, array);
    }

    /// <summary>True when the event is held as its encoding, not as a document.</summary>
    public bool HeldEncoded => codec is not null;

    public long Timestamp { get; }

    public long Sequence { get; }

    public string Id { get; }

    public EventClassification Classification { get; }

    public EventPosition Position => new(Timestamp, Sequence, Id);

    /// <summary>True while the event waits in its state's reorder buffer.</summary>
    public bool InBuffer { get; set; }

    /// <summary>The bytes of the event's reorder-buffer field in the store (0: not stored there).</summary>
    public int BufferBytes { get; set; }

    /// <summary>The name of the event's reorder-buffer field, from its write until the write that deletes it.</summary>
    public byte[]? BufferName { get; set; }

    /// <summary>
    /// The codec's encoding of an event held as its document, kept from the write of the event's reorder-buffer field
    /// until its first write in a partial's field, so an event is usually encoded once on its way through a state.
    /// </summary>
    public byte[]? Encoded { get; set; }

    /// <summary>
    /// The event's join key at one stage of the query, computed once: the early-report preview, the buffer's key index
    /// and matching all ask for it.
    /// </summary>
    public JoinKey? KeyAt(int stage, CompiledQuery<TEvent> query) => KeyOf(query.DefinitionOf(stage), query);

    /// <summary>The event's join key for one distinct step (definition) of the query, computed once.</summary>
    public JoinKey? KeyOf(int definition, CompiledQuery<TEvent> query)
    {
        if (query.KeysShared)
        {
            return SharedKey(query);
        }

        var cached = Keys(query);
        var key = cached[definition];
        if (ReferenceEquals(key, NotComputed))
        {
            key = cached[definition] = query.Definition(definition).KeyOf(Document);
        }

        return key;
    }

    /// <summary>The event's join key for the query's until clause (which it satisfies), computed once.</summary>
    public JoinKey? UntilKey(CompiledQuery<TEvent> query)
    {
        if (query.KeysShared)
        {
            return SharedKey(query);
        }

        var cached = Keys(query);
        var key = cached[^1];
        if (ReferenceEquals(key, NotComputed))
        {
            key = cached[^1] = query.Until!.KeyOf(Document);
        }

        return key;
    }

    /// <summary>
    /// Computes every join key the engine can ask of this event (those of the steps it satisfies, and of the until
    /// clause) from <paramref name="from"/>, its document, which may be a view valid only for now (a selectively decoded
    /// event of the current batch): after this, the engine never reads the event's fields again.
    /// </summary>
    public void ComputeKeys(CompiledQuery<TEvent> query, TEvent from)
    {
        if (query.KeysShared)
        {
            if (ReferenceEquals(sharedKey, NotComputed) && (Classification.Steps != 0 || Classification.Until))
            {
                sharedKey = query.Definition(0).KeyOf(from);
            }

            return;
        }

        var array = keys ??= Fill(new JoinKey?[query.DefinitionCount + 1]);
        for (var definition = 0; definition < query.DefinitionCount; definition++)
        {
            if (Classification.Satisfies(definition) && ReferenceEquals(array[definition], NotComputed))
            {
                array[definition] = query.Definition(definition).KeyOf(from);
            }
        }

        if (Classification.Until && query.Until is { } until && ReferenceEquals(array[^1], NotComputed))
        {
            array[^1] = until.KeyOf(from);
        }
    }

    private JoinKey? SharedKey(CompiledQuery<TEvent> query)
    {
        if (ReferenceEquals(sharedKey, NotComputed))
        {
            // A document held whole, or an event read from a store (one decode).
            sharedKey = query.Definition(0).KeyOf(Document);
        }

        return sharedKey;
    }

    private JoinKey?[] Keys(CompiledQuery<TEvent> query)
    {
        if (keys is { } existing)
        {
            return existing;
        }

        if (codec is not null)
        {
            // Held encoded (read from a store): one decode yields every key the engine will ask for.
            ComputeKeys(query, Document);
            return keys!;
        }

        return keys = Fill(new JoinKey?[query.DefinitionCount + 1]);
    }

    private static JoinKey?[] Fill(JoinKey?[] array)
    {
        Array.Fill(array, NotComputed);
        return array;
    }
}
