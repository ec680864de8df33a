namespace Vigil.Correlator;

/// <summary>
/// One (rule, host) state as the store holds it: the named fields of the current layout, or the single blob a
/// correlator of an earlier version wrote (read once, then replaced by fields on the next write).
/// </summary>
public sealed class StoredState
{
    private StoredState(IReadOnlyCollection<KeyValuePair<byte[], byte[]>>? fields, byte[]? blob)
    {
        Fields = fields;
        Blob = blob;
    }

    /// <summary>The fields (name, value) of a state in the current layout; null for a blob.</summary>
    public IReadOnlyCollection<KeyValuePair<byte[], byte[]>>? Fields { get; }

    /// <summary>The bytes of a state an earlier version stored whole; null for fields.</summary>
    public byte[]? Blob { get; }

    public static StoredState OfFields(IReadOnlyCollection<KeyValuePair<byte[], byte[]>> fields) => new(fields ?? throw new ArgumentNullException(nameof(fields)), null);

    public static StoredState OfBlob(byte[] blob) => new(null, blob ?? throw new ArgumentNullException(nameof(blob)));
}
