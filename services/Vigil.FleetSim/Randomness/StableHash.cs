namespace Vigil.FleetSim.Randomness;

/// <summary>Hashes that never change across runtimes or machines, so everything derived from a seed is reproducible.</summary>
internal static class StableHash
{
    /// <summary>SplitMix64's finalizer: a bijection on 64-bit values with good avalanche.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }

    public static ulong Of(ulong a, ulong b) => Mix(Mix(a) ^ b);

    public static ulong Of(ulong a, ulong b, ulong c) => Mix(Of(a, b) ^ c);

    public static ulong Of(ulong a, ulong b, ulong c, ulong d) => Mix(Of(a, b, c) ^ d);

    /// <summary>FNV-1a over UTF-16 code units, then mixed; stable unlike string.GetHashCode.</summary>
    public static ulong Of(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return Mix(hash);
    }
}
