namespace Vigil.FleetSim.Randomness;

/// <summary>
/// Event and entity ids that look random (as an agent's do) yet are a bijection of what they name, so they are
/// unique within a run by construction and identical for the same seed.
/// </summary>
internal sealed class OpaqueIds(ulong seed)
{
    private readonly ulong eventKey = StableHash.Of(seed, 0xE7E17);
    private readonly ulong entityKey = StableHash.Of(seed, 0xE7717);

    /// <summary>The id of the <paramref name="step"/>-th event of activity <paramref name="activity"/>.</summary>
    public string EventId(ActivityKey activity, int step) => Encode(eventKey, activity.Value, (ulong)step);

    /// <summary>The entity id of the <paramref name="spawn"/>-th process an activity starts.</summary>
    public string ProcessEntityId(ActivityKey activity, int spawn) => Encode(entityKey, activity.Value, (ulong)spawn);

    /// <summary>The entity id of a long-lived process of a host (launchd, Finder, a browser, an agent daemon).</summary>
    public string ResidentEntityId(int hostIndex, int resident) =>
        Encode(entityKey, ActivityKey.ForResidents(hostIndex).Value, (ulong)resident);

    // Each step is invertible (Mix is a bijection on 64 bits and the XORs can be undone given the other word),
    // so distinct (a, b) give distinct 16-byte values, and every byte depends on both.
    private static string Encode(ulong key, ulong a, ulong b)
    {
        Span<byte> bytes = stackalloc byte[16];
        var first = StableHash.Mix(key ^ a);
        var second = StableHash.Mix(first ^ StableHash.Mix(key + b));
        BitConverter.TryWriteBytes(bytes[..8], first ^ StableHash.Mix(second));
        BitConverter.TryWriteBytes(bytes[8..], second);
        return Convert.ToBase64String(bytes).TrimEnd('=');
    }
}
