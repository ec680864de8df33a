using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// The bytes of one (rule, host) state at rest, versioned by the correlator so its layout can change without
/// discarding every pending sequence on upgrade.
/// </summary>
/// <remarks>
/// <code>
/// version 2:  0x02, then the rule's HostStateSerializer bytes ("VQS" ...)
/// version 1:  the HostStateSerializer bytes alone, as correlators wrote them before the version byte; still read
///             (they begin with 'V', which no version byte will ever be)
/// </code>
/// </remarks>
public static class StateFormat
{
    public const byte Version = 2;

    private const byte UnversionedLead = (byte)'V';

    /// <summary>
    /// Writes <paramref name="state"/> within its rule's byte limit; <paramref name="evicted"/> counts the oldest
    /// partial sequences it had to drop to fit (also removed from <paramref name="state"/>, so memory matches the bytes).
    /// </summary>
    public static byte[] Write(CompiledRule rule, HostState<TelemetryEvent> state, out int evicted)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var (payload, dropped) = rule.States.SerializeBounded(state);
        evicted = dropped;
        var bytes = new byte[payload.Length + 1];
        bytes[0] = Version;
        payload.CopyTo(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>Reads a state of either version; throws <see cref="InvalidDataException"/> for anything else.</summary>
    public static HostState<TelemetryEvent> Read(CompiledRule rule, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (bytes.IsEmpty)
        {
            throw new InvalidDataException("Empty correlator state.");
        }

        return bytes[0] switch
        {
            Version => rule.States.Deserialize(bytes[1..]),
            UnversionedLead => rule.States.Deserialize(bytes),
            var other => throw new InvalidDataException($"Unknown correlator state format version {other}."),
        };
    }
}
