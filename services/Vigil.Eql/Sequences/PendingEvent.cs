namespace Vigil.Eql.Sequences;

/// <summary>
/// An event the engine holds: in the reorder buffer, or as evidence of a partial sequence. Its ordering fields and the
/// steps it satisfies are computed once, on arrival.
/// </summary>
internal sealed class PendingEvent<TEvent>(TEvent document, long timestamp, long sequence, string id, EventClassification classification)
{
    private static readonly JoinKey NotComputed = new(["\u0000not computed"]);

    private JoinKey?[]? keys;

    public TEvent Document { get; } = document;

    public long Timestamp { get; } = timestamp;

    public long Sequence { get; } = sequence;

    public string Id { get; } = id;

    public EventClassification Classification { get; } = classification;

    public EventPosition Position => new(Timestamp, Sequence, Id);

    /// <summary>True while the event waits in its state's reorder buffer.</summary>
    public bool InBuffer { get; set; }

    /// <summary>The bytes of the event's reorder-buffer field in the store (0: not stored there).</summary>
    public int BufferBytes { get; set; }

    /// <summary>
    /// The codec's encoding of <see cref="Document"/>, kept from the write of the event's reorder-buffer field until its
    /// first write in a partial's field, so an event is usually encoded once on its way through a state.
    /// </summary>
    public byte[]? Encoded { get; set; }

    /// <summary>
    /// The event's join key at one stage of the query, computed once: the early-report preview, the buffer's key index
    /// and matching all ask for it.
    /// </summary>
    public JoinKey? KeyAt(int stage, CompiledQuery<TEvent> query)
    {
        keys ??= Fill(new JoinKey?[query.StageCount]);
        var key = keys[stage];
        if (ReferenceEquals(key, NotComputed))
        {
            key = keys[stage] = query.Stage(stage).KeyOf(Document);
        }

        return key;
    }

    private static JoinKey?[] Fill(JoinKey?[] array)
    {
        Array.Fill(array, NotComputed);
        return array;
    }
}
