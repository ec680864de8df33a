using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// The layout of one (rule, host) state at rest, versioned by the correlator so it can change without discarding every
/// pending sequence on upgrade.
/// </summary>
/// <remarks>
/// <code>
/// version 3:  a hash of named fields, the rule's HostStateSerializer field layout ("h" header "VQS" 0x06 or 0x04, "b..." per
///             buffered event, "p..." per join key with pending partials): a write sets the fields a batch changed and
///             deletes the ones it removed, never the whole history
/// version 2:  one string: 0x02, then the rule's HostStateSerializer blob ("VQS" 0x05 or earlier ...)
/// version 1:  one string: the HostStateSerializer blob alone, as correlators wrote it before the version byte (it
///             begins with 'V', which no version byte will ever be)
/// </code>
/// Versions 2 and 1 are still read; the state's next write replaces the string with the hash (migration on read).
/// </remarks>
public static class StateFormat
{
    public const byte Version = 3;

    private const byte BlobVersion = 2;
    private const byte UnversionedLead = (byte)'V';

    /// <summary>
    /// The field changes that store what changed in <paramref name="state"/> since it was read or last written, within
    /// its rule's byte limit: the oldest partial sequences evicted to fit are counted in <see cref="StateFieldChanges.Evicted"/>
    /// (and removed from <paramref name="state"/>, so memory matches the store).
    /// </summary>
    public static StateFieldChanges Write(CompiledRule rule, HostState<TelemetryEvent> state)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.States.Changes(state);
    }

    /// <summary>A state as an earlier version stored it: one versioned blob (for tests of the migration).</summary>
    public static byte[] WriteBlob(CompiledRule rule, HostState<TelemetryEvent> state)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var payload = rule.States.Serialize(state);
        var bytes = new byte[payload.Length + 1];
        bytes[0] = BlobVersion;
        payload.CopyTo(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>Reads a state of any version; throws <see cref="InvalidDataException"/> for anything else.</summary>
    public static HostState<TelemetryEvent> Read(CompiledRule rule, StoredState stored)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(stored);
        return stored.Fields is { } fields ? rule.States.ReadFields(fields) : ReadBlob(rule, stored.Blob!);
    }

    /// <summary>Reads a blob of version 2 or 1 (it is written as fields from then on).</summary>
    public static HostState<TelemetryEvent> ReadBlob(CompiledRule rule, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (bytes.IsEmpty)
        {
            throw new InvalidDataException("Empty correlator state.");
        }

        return bytes[0] switch
        {
            BlobVersion => rule.States.Deserialize(bytes[1..]),
            UnversionedLead => rule.States.Deserialize(bytes),
            var other => throw new InvalidDataException($"Unknown correlator state format version {other}."),
        };
    }
}
