using System.Text.Json;

namespace Vigil.Baseline.Learning;

/// <summary>
/// One host's view of one image: when and how it used the network, its current volume bucket, which recent buckets
/// were anomalous, and which alerts are suppressed. Read at the start of a batch, advanced event by event, and
/// written back whole, guarded by the <see cref="Watermark"/> it was read with.
/// </summary>
public sealed class HostImageState
{
    // The watermark Redis holds for this view: its text as read from Redis, or (null text) the mark this process wrote
    // last, whose text is made only when asked for: every batch writes its views, and a string each was a good part
    // of what a batch allocated.
    private string? storedText = string.Empty;
    private Watermark storedMark = Watermark.None;
    private Dictionary<string, long>? suppressedUntil;
    private SortedDictionary<long, string>? bucketEvidence;

    /// <summary>The watermark Redis holds for this view: read with it, or written by this process since.</summary>
    public string StoredWatermark
    {
        get => storedText ??= storedMark.ToString();
        internal set
        {
            storedText = value;
            storedMark = Watermark.None;
        }
    }

    /// <summary>The text of <see cref="StoredWatermark"/> when one was read or made, else null (then <see cref="StoredMark"/> is it).</summary>
    internal string? StoredText => storedText;

    /// <summary>The mark this process last wrote for the view (meaningful when <see cref="StoredText"/> is null).</summary>
    internal Watermark StoredMark => storedMark;

    /// <summary>Records that Redis now holds <paramref name="mark"/> for this view (written by this process).</summary>
    internal void Stored(Watermark mark)
    {
        storedMark = mark;
        storedText = null;
    }

    public Watermark Watermark { get; set; } = Watermark.None;

    /// <summary>The key the store keeps this view under, once it built it (a view held in memory is written by many batches).</summary>
    internal string? StorageKey { get; set; }

    /// <summary>
    /// When this process last refreshed the Redis copy's expiry (<see cref="Environment.TickCount64"/> taken before that
    /// write), 0 when it never did: a view read from Redis or new. See <see cref="Storage.ExpiryRefresh"/>.
    /// </summary>
    internal long ExpiryRefreshedAt { get; set; }

    public long FirstSeen { get; set; }

    public long LastSeen { get; set; }

    public long Observations { get; set; }

    public Dictionary<string, long> Protocols { get; } = new(StringComparer.Ordinal);

    /// <summary>Protocol signature → event time (ns) until which a repeat of its alert is suppressed.</summary>
    /// <remarks>Made when first used: most views never alert, and a view read or made per new (image, host) of a batch
    /// paid for two empty tables it never filled.</remarks>
    public Dictionary<string, long> SuppressedUntil => suppressedUntil ??= new(StringComparer.Ordinal);

    /// <summary>Whether any suppression is recorded (without making the table).</summary>
    public bool HasSuppressions => suppressedUntil is { Count: > 0 };

    /// <summary>Index of the current bucket (event time / bucket width), or null before the first byte count.</summary>
    public long? Bucket { get; set; }

    public long BucketSent { get; set; }

    public long BucketReceived { get; set; }

    public BucketHistory History { get; set; }

    /// <summary>A volume alert was raised for the anomalous buckets still in the window: the episode is reported.</summary>
    public bool VolumeAlerted { get; set; }

    /// <summary>Anomalous bucket → the event that made it anomalous, for the evidence of a persistence alert (made when first used).</summary>
    public SortedDictionary<long, string> BucketEvidence => bucketEvidence ??= [];

    /// <summary>Whether any bucket evidence is recorded (without making the table).</summary>
    public bool HasBucketEvidence => bucketEvidence is { Count: > 0 };

    /// <summary>
    /// A host view from its stored parts: the watermark it was written with and its <see cref="HostViewDocument"/>
    /// (both null when the host has no view yet).
    /// </summary>
    public static HostImageState Parse(string? stored, string? document, int window) =>
        From(stored, document is null ? null : JsonSerializer.Deserialize(document, HostViewJson.Default.HostViewDocument), window);

    /// <summary>
    /// The same, from the stored bytes as Redis returns them: the compact encoding (<see cref="ToStored"/>) or, as
    /// views written before it hold, the JSON document's UTF-8 (no text copy of it).
    /// </summary>
    public static HostImageState ParseUtf8(string? stored, ReadOnlyMemory<byte>? document, int window)
    {
        if (document is { } bytes && HostViewBinary.IsBinary(bytes.Span))
        {
            var state = From(stored, null, window);
            HostViewBinary.Read(bytes.Span, state, window);
            return state;
        }

        return From(stored, document is { } utf8 ? JsonSerializer.Deserialize(utf8.Span, HostViewJson.Default.HostViewDocument) : null, window);
    }

    private static HostImageState From(string? stored, HostViewDocument? view, int window)
    {
        var state = new HostImageState
        {
            StoredWatermark = stored ?? string.Empty,
            Watermark = Watermark.Parse(stored ?? string.Empty),
            History = new BucketHistory(0, window),
        };
        if (view is null)
        {
            return state;
        }

        state.FirstSeen = view.FirstSeen;
        state.LastSeen = view.LastSeen;
        state.Observations = view.Observations;
        state.Bucket = view.Bucket;
        state.BucketSent = view.BucketSent;
        state.BucketReceived = view.BucketReceived;
        state.History = new BucketHistory(view.History, window);
        state.VolumeAlerted = view.VolumeAlerted;
        foreach (var (bucket, eventId) in view.BucketEvidence ?? [])
        {
            state.BucketEvidence[bucket] = eventId;
        }

        foreach (var (signature, count) in view.Protocols ?? [])
        {
            state.Protocols[signature] = count;
        }

        foreach (var (signature, until) in view.SuppressedUntil ?? [])
        {
            state.SuppressedUntil[signature] = until;
        }

        return state;
    }

    public static HostImageState Empty(int window) => new() { History = new BucketHistory(0, window) };

    /// <summary>The view as a JSON document, as field "s" held before the compact encoding (and as tests compare views).</summary>
    public string ToDocument() => JsonSerializer.Serialize(Document(), HostViewJson.Default.HostViewDocument);

    /// <summary>The same document as UTF-8, as views were stored before <see cref="ToStored"/>.</summary>
    public byte[] ToDocumentUtf8() => JsonSerializer.SerializeToUtf8Bytes(Document(), HostViewJson.Default.HostViewDocument);

    /// <summary>The view as stored in field "s": the compact encoding of <see cref="HostViewBinary"/> (read back by <see cref="ParseUtf8"/>).</summary>
    public byte[] ToStored() => HostViewBinary.Write(this);

    private HostViewDocument Document() =>
        new HostViewDocument(
            FirstSeen,
            LastSeen,
            Observations,
            Bucket,
            BucketSent,
            BucketReceived,
            History.Bits,
            VolumeAlerted,
            HasBucketEvidence ? new Dictionary<long, string>(BucketEvidence) : null,
            Protocols.Count == 0 ? null : Protocols,
            HasSuppressions ? SuppressedUntil : null);
}
